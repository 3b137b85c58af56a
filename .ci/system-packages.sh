#!/bin/sh
# Installs the Debian packages haopin needs when they are missing. As root it
# installs them; otherwise it prints the one command an administrator must run.
set -eu
PACKAGES="chromium fonts-noto-cjk poppler-utils postgresql"
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "haopin needs these Debian packages:$missing" >&2
    echo "ask an administrator to run: apt-get install -y$missing" >&2
    exit 1
fi
echo "installing Debian packages:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
