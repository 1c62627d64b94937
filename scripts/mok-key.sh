#!/bin/sh
# The rig's MOK-style signing key pair, made once and kept in the cache
# (never in the repository), as dkms 3.0.10 makes /var/lib/dkms/mok.key and
# mok.pub: RSA 2048, a self-signed X.509 certificate in DER; plus the same
# certificate in PEM for CONFIG_SYSTEM_TRUSTED_KEYS.  Prints the directory.
set -eu
. "$(dirname "$0")/lib.sh"
dir=$SHADOWMAP_CACHE/keys
if [ ! -f "$dir/mok.pem" ]; then
	need_pkgs openssl
	mkdir -p "$dir"
	openssl req -new -x509 -nodes -days 36500 -newkey rsa:2048 \
		-subj "/CN=shadowmap rig MOK/" -outform DER \
		-keyout "$dir/mok.key" -out "$dir/mok.der" >"$dir/openssl.log" 2>&1 ||
		die "openssl could not make the rig's key: see $dir/openssl.log"
	openssl x509 -inform DER -in "$dir/mok.der" -out "$dir/mok.pem"
fi
echo "$dir"
