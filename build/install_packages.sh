#!/usr/bin/env bash
# install_packages.sh WHO PACKAGE...: installs (apt-get) the Debian packages
# dpkg does not list yet; WHO prefixes the messages. Shared by the set-up scripts.
set -euo pipefail
who=$1
shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "$who: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "$who: not root; run: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
