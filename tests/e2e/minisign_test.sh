#!/usr/bin/env bash
# Ferry's keys and signatures against the real minisign, in both directions:
# keys made by `ferry keygen` sign with minisign, keys made by minisign sign
# with Ferry, and each side verifies what the other signed. Passphrase-
# protected keys included (minisign's own scrypt limits: ~1 GiB, a few s).
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
TOOL=${MINISIG_TOOL:?set MINISIG_TOOL to tests/minisig_tool}
cd "$WORK"
head -c 3000000 /dev/urandom >data.bin

check "ferry keygen --no-password writes a key pair" \
  "$FERRY" keygen -o nopw --no-password
check "the secret key is readable only by its owner (0600)" \
  equal "$(stat -c %a nopw.key)" "600"
check "minisign signs with a ferry key" \
  minisign -S -s nopw.key -m data.bin -t "signed by minisign"
check "ferry verifies minisign's signature and reads its trusted comment" \
  equal "$("$TOOL" verify nopw.pub data.bin)" "signed by minisign"
check "ferry signs with its own key" \
  "$TOOL" sign nopw.key data.bin "bundle=b1 channel=stable sequence=3"
check "minisign -V accepts ferry's signature and shows the trusted comment" \
  bash -c "minisign -V -p nopw.pub -m data.bin | grep -qx 'Trusted comment: bundle=b1 channel=stable sequence=3'"

cp data.bin tampered.bin; flip_byte tampered.bin 1000
cp data.bin.minisig tampered.bin.minisig
check "minisign rejects a tampered file" bash -c "! minisign -V -q -p nopw.pub -m tampered.bin"
check "ferry rejects it too, as a bad signature (exit 14)" \
  bash -c "\"$TOOL\" verify nopw.pub tampered.bin; test \$? -eq 14"
sed -i '3s/sequence=3/sequence=4/' data.bin.minisig
check "an edited trusted comment is caught by ferry (exit 15)" \
  bash -c "\"$TOOL\" verify nopw.pub data.bin; test \$? -eq 15"
check "and by minisign" bash -c "! minisign -V -q -p nopw.pub -m data.bin"

check "minisign -G -W makes a key" minisign -G -W -p ms.pub -s ms.key
check "ferry signs with minisign's key; minisign verifies" \
  bash -c "\"$TOOL\" sign ms.key data.bin 'from ferry' && minisign -V -q -p ms.pub -m data.bin"
check "a signature by another key is refused as unknown key (exit 13)" \
  bash -c "\"$TOOL\" verify nopw.pub data.bin; test \$? -eq 13"

check "ferry keygen with a passphrase (FERRY_PASSPHRASE)" \
  env FERRY_PASSPHRASE=s3cret "$FERRY" keygen -o enc
check "minisign decrypts ferry's encrypted key and signs" \
  bash -c "printf 's3cret\n' | minisign -S -s enc.key -m data.bin -t 'enc ok'"
check "ferry verifies it" equal "$("$TOOL" verify enc.pub data.bin)" "enc ok"
check "minisign -G with a passphrase (on stdin)" \
  bash -c "printf 'pw2\npw2\n' | minisign -G -p mse.pub -s mse.key"
check "ferry decrypts minisign's encrypted key and signs; minisign verifies" \
  bash -c "FERRY_PASSPHRASE=pw2 \"$TOOL\" sign mse.key data.bin 'x' && minisign -V -q -p mse.pub -m data.bin"
check "a wrong passphrase is refused as such (exit 12)" \
  bash -c "FERRY_PASSPHRASE=nope \"$TOOL\" sign mse.key data.bin 'x'; test \$? -eq 12"

check "keygen will not overwrite a key (exit 3)" \
  bash -c "\"$FERRY\" keygen -o nopw --no-password; test \$? -eq 3"
check "--force replaces it" "$FERRY" keygen -o nopw --no-password --force
check "with no passphrase source and no terminal, keygen says what to do (exit 2)" \
  bash -c "out=\$(setsid -w \"$FERRY\" keygen -o notty 2>&1 </dev/null); rc=\$?; test \$rc -eq 2 && grep -q 'passphrase-file' <<<\"\$out\""
check "passphrase from --passphrase-file" \
  bash -c "printf 'filepw\n' >pw.txt && \"$FERRY\" keygen -o fromfile --passphrase-file pw.txt && FERRY_PASSPHRASE=filepw \"$TOOL\" sign fromfile.key data.bin ok"
finish
