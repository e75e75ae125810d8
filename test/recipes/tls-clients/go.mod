module smll-storage/tls-clients

go 1.21
