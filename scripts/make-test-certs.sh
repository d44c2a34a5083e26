#!/usr/bin/env bash
# Makes a throwaway CA and TLS certificates for tests (rtbench serve --tls-cert/--tls-key, load --tls-ca). Call it
# into a temporary folder: the keys are secrets of no worth, never to be committed. Needs only the openssl CLI.
#
#   scripts/make-test-certs.sh OUTDIR [DAYS]     (DAYS: validity of the CA and server certificate, default 30)
#
# Writes into OUTDIR (created with mode 700 if missing; every file mode 600), all keys EC P-256:
#   ca.pem, ca.key              self-signed CA (basicConstraints critical CA:TRUE, keyUsage keyCertSign, cRLSign)
#   server.pem, server.key      signed by the CA; SAN DNS:localhost, IP:127.0.0.1, IP:::1; extendedKeyUsage serverAuth
#   server-chain.pem            server.pem followed by ca.pem
#   expired.pem                 server.key's certificate, signed by the CA, valid only during January 2000
#   other.key                   a second key, matching no certificate (for the key-does-not-match test)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ] || ! [[ ${2:-30} =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/make-test-certs.sh OUTDIR [DAYS]   (DAYS a positive whole number of days, default 30)" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "make-test-certs: openssl is missing: apt-get install openssl" >&2; exit 2; }
outdir=$1
days=${2:-30}

umask 077  # keys are never readable by others, not even for the moment between writing and a chmod; folders 700
mkdir -p "$outdir"
cd "$outdir"
files=(ca.pem ca.key server.pem server.key server-chain.pem expired.pem other.key)
rm -f "${files[@]}"  # an existing file keeps its mode when overwritten; new ones get the umask's 600
work=$(mktemp -d .make-test-certs.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Runs a command with its output kept aside; shows it only when the command fails.
run() {
  if ! "$@" >"$work/log" 2>&1; then
    echo "make-test-certs: failed: $*" >&2
    cat "$work/log" >&2
    exit 1
  fi
}

# One config for req and ca, so that the system's openssl.cnf cannot add or change extensions. openssl x509 in 3.0
# cannot set a start date, so both certificates are issued with `openssl ca`, whose -startdate/-enddate can place
# expired.pem's validity wholly in the past.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
x509_extensions = ca_ext
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any_name
unique_subject = no
x509_extensions = server_ext
[any_name]
commonName = supplied
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
: >"$work/index.txt"
ec=(genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve)

run openssl "${ec[@]}" -out ca.key
run openssl "${ec[@]}" -out server.key
run openssl "${ec[@]}" -out other.key
run openssl req -config "$work/openssl.cnf" -x509 -new -key ca.key -subj "/CN=rtbench test CA" -days "$days" \
  -sha256 -out ca.pem
run openssl req -config "$work/openssl.cnf" -new -key server.key -subj "/CN=localhost" -out "$work/server.csr"
run openssl ca -config "$work/openssl.cnf" -batch -notext -rand_serial -in "$work/server.csr" -days "$days" \
  -out server.pem
run openssl ca -config "$work/openssl.cnf" -batch -notext -rand_serial -in "$work/server.csr" \
  -startdate 20000101000000Z -enddate 20000201000000Z -out expired.pem
cat server.pem ca.pem >server-chain.pem
chmod 600 "${files[@]}"
echo "make-test-certs: wrote ${files[*]} to $outdir"
