# Shared by scripts/run and scripts/test: the virtual environment and system packages.
# shellcheck shell=bash

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${WELLBEING_VENV:-$root/.venv}"

# Debian/Ubuntu packages Qt's xcb platform plugin needs at run time.
QT_RUNTIME_PACKAGES="libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-xkb1 libxcb-randr0
  libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-util1 libegl1 libgl1 libdbus-1-3 libfontconfig1 fonts-dejavu-core"

# Install missing Debian packages when that is possible here (root, or sudo without a password).
install_debian_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "Missing system packages: ${missing[*]}" >&2
            echo "Install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
            return 1
        fi
    fi
    echo "Installing system packages: ${missing[*]}" >&2
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Create the virtual environment and install the project with the given extras, once per change
# of pyproject.toml.
ensure_venv() {
    local extras="$1"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install -q --upgrade pip
    fi
    local stamp="$venv/.installed-$(sha1sum "$root/pyproject.toml" | cut -c1-12)-${extras:-none}"
    if [ ! -e "$stamp" ]; then
        if [ -n "$extras" ]; then
            "$venv/bin/python" -m pip install -q -e "$root[$extras]"
        else
            "$venv/bin/python" -m pip install -q -e "$root"
        fi
        touch "$stamp"
    fi
}
