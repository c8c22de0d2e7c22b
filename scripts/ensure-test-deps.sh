#!/usr/bin/env bash
# What the test suite needs beyond npm packages: Debian's slapd (the LDAP tests start a real OpenLDAP
# server on 127.0.0.1). Installed with apt-get when missing and possible (as root); otherwise a notice,
# and the LDAP tests say what to install.
set -u
if [ -x /usr/sbin/slapd ] && [ -x /usr/sbin/slapadd ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing Debian's slapd and ldap-utils for the LDAP tests" >&2
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null || echo "could not install slapd: the LDAP tests will fail" >&2
else
  echo "slapd is missing: install Debian's slapd and ldap-utils (apt-get install slapd ldap-utils) for the LDAP tests" >&2
fi
exit 0
