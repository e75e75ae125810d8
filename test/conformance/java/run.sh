#!/usr/bin/env bash
# Runs the Java runner (mvn test). With AWS_CA_BUNDLE set (https against a self-signed certificate),
# the JVM gets a trust store holding that certificate: the SDK's HTTP clients use the JVM's trust.
set -euo pipefail
cd "$(dirname "$0")"
args=()
if [[ "$SMLL_ENDPOINT" == https:* && -n "${AWS_CA_BUNDLE:-}" ]]; then
  store="$SMLL_RESULTS_DIR/truststore.p12"
  rm -f "$store"
  keytool -importcert -noprompt -alias smll-conformance -file "$AWS_CA_BUNDLE" -keystore "$store" -storetype PKCS12 -storepass conformance >/dev/null
  args+=("-DargLine=-Djavax.net.ssl.trustStore=$store -Djavax.net.ssl.trustStorePassword=conformance -Djavax.net.ssl.trustStoreType=PKCS12")
fi
exec mvn -B -q test "${args[@]}"
