# Sourced by bin/run and bin/test: installs what the app needs on a fresh Debian machine with
# Python 3.11, then keeps a virtualenv in .venv in step with pyproject.toml. Idempotent: it
# installs only what is missing and reinstalls Python packages only when pyproject.toml changed.
set -euo pipefail

PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  if [ "$pkg" = python3-venv ] && "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
    continue
  fi
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installerar systempaket: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # On a fresh machine unattended-upgrades often holds the dpkg lock: wait for it (up to five
  # minutes) instead of failing the setup.
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q "${missing[@]}"
fi

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "Finsam Plan needs Python 3.11 (found $("$PYTHON" --version))." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.finsam-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[test]"
  echo "$want" > "$stamp"
fi
