"""One https GET with Python's ssl module and one with requests, trusting only what the environment
names: the default context reads SSL_CERT_FILE (OpenSSL's default paths), requests reads
REQUESTS_CA_BUNDLE. The ssl check adds VERIFY_X509_STRICT, the default of Python 3.13's context."""
import http.client
import ssl
import sys
import urllib.parse

import requests

url = urllib.parse.urlsplit(sys.argv[1])
context = ssl.create_default_context()
context.verify_flags |= ssl.VERIFY_X509_STRICT
for host in ("localhost", "127.0.0.1"):
    connection = http.client.HTTPSConnection(host, url.port, context=context)
    connection.request("GET", url.path)
    print("ssl", host, connection.getresponse().status)
print("requests", requests.get(sys.argv[1]).status_code)
