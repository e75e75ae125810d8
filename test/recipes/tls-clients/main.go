// One https GET with Go's net/http and crypto/x509 system roots, as mc, restic and rclone make it:
// on Linux the roots come from SSL_CERT_FILE when it is set. Prints the status line, or the error.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	response, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer response.Body.Close()
	fmt.Println(response.Proto, response.Status)
}
