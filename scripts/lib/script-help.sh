# --help for the scripts: source it first thing; with -h or --help as the first argument it prints the script's
# opening comment (what it does, its usage) and exits 0, before anything is installed or built.
# shellcheck shell=bash
case "${1:-}" in
  -h | --help)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
    exit 0
    ;;
esac
