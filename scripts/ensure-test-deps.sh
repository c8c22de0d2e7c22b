#!/usr/bin/env bash
# What the test suite needs beyond npm packages: Debian's slapd (the LDAP tests start a real OpenLDAP
# server on 127.0.0.1) and Debian's chromium (the dashboard's end-to-end tests drive it headless through
# playwright-core). Installed with apt-get when missing and possible (as root); otherwise a notice, and the
# tests concerned say what to install.
set -u
missing=()
if ! { [ -x /usr/sbin/slapd ] && [ -x /usr/sbin/slapadd ]; }; then missing+=(slapd ldap-utils); fi
if [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing Debian's ${missing[*]} for the LDAP and dashboard tests" >&2
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || echo "could not install ${missing[*]}: the LDAP or dashboard tests will fail" >&2
else
  echo "missing: ${missing[*]}; install them with apt-get install ${missing[*]} (slapd and ldap-utils for the LDAP tests, chromium for the dashboard tests)" >&2
fi
exit 0
