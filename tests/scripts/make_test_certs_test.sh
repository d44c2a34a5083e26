#!/usr/bin/env bash
# scripts/make-test-certs.sh: the server certificate verifies against the CA and expired.pem does not, the SANs are
# there, server.key matches server.pem and other.key does not, the keys are mode 600, and openssl s_server with them
# serves curl over https to 127.0.0.1 and localhost when curl trusts ca.pem, and not when it does not.
set -uo pipefail
script=$(cd "$(dirname "$0")/../../scripts" && pwd)/make-test-certs.sh
tmp=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
failed=0
fail() {
  echo "FAIL $*"
  failed=1
}

bash "$script" >/dev/null 2>"$tmp/noarg.err"
status=$?
[ "$status" -eq 2 ] || fail "no argument: exit $status, not 2"
grep -q usage "$tmp/noarg.err" || fail "no argument: no usage on stderr: $(cat "$tmp/noarg.err")"
out=$(bash "$script" --help 2>&1)
status=$?
[ "$status" -eq 0 ] || fail "--help: exit $status"
[[ $out == *"make-test-certs.sh OUTDIR [DAYS]"* ]] || fail "--help prints no usage: ${out:0:200}"

d=$tmp/certs
if ! out=$(bash "$script" "$d" 2>&1); then
  echo "FAIL make-test-certs.sh: $out"
  exit 1
fi
[[ $out == *"$d"* ]] || fail "the success line does not name the folder: $out"
[ "$(stat -c %a "$d")" = 700 ] || fail "$d is mode $(stat -c %a "$d"), not 700"
for f in ca.key server.key other.key; do
  [ "$(stat -c %a "$d/$f")" = 600 ] || fail "$f is mode $(stat -c %a "$d/$f"), not 600"
done
[ -z "$(find "$d" -mindepth 1 -name '.*')" ] || fail "temporary files left in $d: $(ls -A "$d")"

out=$(openssl verify -CAfile "$d/ca.pem" "$d/server.pem" 2>&1) || fail "server.pem does not verify: $out"
out=$(openssl verify -CAfile "$d/ca.pem" "$d/expired.pem" 2>&1) && fail "expired.pem verifies: $out"
[[ $out == *expired* ]] || fail "expired.pem fails for another reason than expiry: $out"
out=$(openssl verify -CAfile "$d/ca.pem" -untrusted "$d/server-chain.pem" "$d/server-chain.pem" 2>&1) ||
  fail "server-chain.pem does not verify: $out"
[ "$(grep -c 'BEGIN CERTIFICATE' "$d/server-chain.pem")" -eq 2 ] || fail "server-chain.pem does not hold 2 certificates"
san=$(openssl x509 -in "$d/server.pem" -noout -ext subjectAltName 2>&1)
for name in DNS:localhost "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1"; do
  [[ $san == *"$name"* ]] || fail "server.pem lacks SAN $name: $san"
done
eku=$(openssl x509 -in "$d/server.pem" -noout -ext extendedKeyUsage 2>&1)
[[ $eku == *"TLS Web Server Authentication"* ]] || fail "server.pem lacks serverAuth: $eku"
ca_ext=$(openssl x509 -in "$d/ca.pem" -noout -ext basicConstraints,keyUsage 2>&1)
[[ $ca_ext == *"critical"*"CA:TRUE"*"Certificate Sign, CRL Sign"* ]] || fail "ca.pem extensions: $ca_ext"

cert_pub=$(openssl x509 -in "$d/server.pem" -noout -pubkey)
[ "$(openssl pkey -in "$d/server.key" -pubout)" = "$cert_pub" ] || fail "server.key does not match server.pem"
[ "$(openssl x509 -in "$d/expired.pem" -noout -pubkey)" = "$cert_pub" ] || fail "expired.pem has another key"
other_pub=$(openssl pkey -in "$d/other.key" -pubout)
if [ -z "$other_pub" ] || [ "$other_pub" = "$cert_pub" ]; then fail "other.key is missing or matches server.pem"; fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$port" -cert "$d/server.pem" -key "$d/server.key" -www -quiet \
  </dev/null >"$tmp/s_server.log" 2>&1 &
srv=$!
for _ in $(seq 50); do  # up to 5 s for s_server to listen
  curl -sk --max-time 1 -o /dev/null "https://127.0.0.1:$port/" && break
  sleep 0.1
done
for url in "https://127.0.0.1:$port/" "https://localhost:$port/"; do
  out=$(curl -sS --max-time 5 --cacert "$d/ca.pem" -o /dev/null "$url" 2>&1) ||
    fail "curl --cacert ca.pem $url: $out (s_server: $(cat "$tmp/s_server.log"))"
done
out=$(curl -sS --max-time 5 -o /dev/null "https://127.0.0.1:$port/" 2>&1)
status=$?
[ "$status" -eq 60 ] || fail "curl without --cacert: exit $status, not 60 (certificate not trusted): $out"
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
srv=

[ "$failed" -eq 0 ] && echo "make-test-certs: all checks passed"
exit $failed
