#!/usr/bin/env bash
# What the two .debs hold, checked as Debian would: cpack builds ferry_*.deb
# and ferryd_*.deb from this build, lintian (Debian 12's) reports no error and
# no warning on either, the workstation package holds no service, udev rule or
# config, every man page renders without a groff warning and names every
# option its program's --help lists, and the bash completion completes
# subcommands and their options. (Installing, upgrading and purging them on a
# booted system: deb_boot_test.sh.)
source "$(dirname "$0")/lib.sh"
FERRY=${FERRY:?set FERRY to the ferry binary}
FERRYCTL=${FERRYCTL:?set FERRYCTL to the ferryctl binary}
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the CMake build directory}
SRC=$(cd "$HERE/../.." && pwd)
cd "$WORK"

cpack -G DEB -B "$WORK/pkg" --config "$BUILD_DIR/CPackConfig.cmake" >cpack.log 2>&1 ||
  { tail -20 cpack.log; exit 1; }
ferry_deb=$(ls pkg/ferry_*.deb)
ferryd_deb=$(ls pkg/ferryd_*.deb)
arch=$(dpkg --print-architecture)
check "cpack makes ferry and ferryd packages for this machine's architecture ($arch)" \
  bash -c "[[ $ferry_deb == *_$arch.deb && $ferryd_deb == *_$arch.deb ]]"

# lintian exits non-zero on an error or a warning (--fail-on), and prints them.
check "lintian: no error and no warning on either package" \
  bash -c "lintian --fail-on error,warning '$ferry_deb' '$ferryd_deb' 2>&1 | grep -v 'root privileges' | tee lintian.txt; exit \${PIPESTATUS[0]}"

dpkg-deb -c "$ferry_deb" | awk '{print $6}' | sed 's|^\./|/|' >ferry.files
dpkg-deb -c "$ferryd_deb" | awk '{print $6}' | sed 's|^\./|/|' >ferryd.files
check "ferry holds the bundler, its man pages and completion" \
  bash -c "grep -qx /usr/bin/ferry ferry.files && grep -qx /usr/share/man/man1/ferry-pack.1.gz ferry.files &&
    grep -qx /usr/share/bash-completion/completions/ferry ferry.files"
check "and no daemon, unit, udev rule, config or maintainer script that could start one" \
  bash -c "! grep -E 'ferryd|ferryctl|systemd|udev|^/etc|sysusers' ferry.files &&
    dpkg-deb --ctrl-tarfile '$ferry_deb' | tar -t | grep -vxE '\\./|\\./control|\\./md5sums' | { ! grep .; }"
check "ferryd holds the daemon, ferryctl, the units, udev rule, user and config as conffiles" \
  bash -c "for f in /usr/bin/ferryd /usr/bin/ferryctl /usr/lib/systemd/system/ferryd.service \
      /usr/lib/udev/rules.d/90-ferry-usb.rules /usr/lib/sysusers.d/ferry.conf /etc/ferry/ferryd.toml \
      /usr/share/man/man5/ferryd.toml.5.gz /usr/share/bash-completion/completions/ferryctl; do
      grep -qx \$f ferryd.files || { echo missing \$f; exit 1; }; done
    dpkg-deb -I '$ferryd_deb' conffiles | grep -qx /etc/ferry/ferryd.toml"
check "no file is in both packages" bash -c "! comm -12 <(grep -v '/\$' ferry.files | sort) <(grep -v '/\$' ferryd.files | sort) | grep ."
check "versioned dependencies from dpkg-shlibdeps, a real maintainer" \
  bash -c "dpkg-deb -f '$ferryd_deb' Depends | grep -q 'libmicrohttpd12 (>= ' &&
    ! dpkg-deb -f '$ferryd_deb' Maintainer | grep -q localhost"

# Every page renders with no warning from groff or man.
pages=("$BUILD_DIR"/man/*.gz)
check "${#pages[@]} man pages render with no warning (groff -ww, man -l)" bash -c '
  for p in "$@"; do
    out=$(zcat "$p" | groff -ww -z -man 2>&1; MANWIDTH=80 man -l -Tutf8 "$p" 2>&1 >/dev/null)
    [[ -z $out ]] || { echo "$p: $out"; exit 1; }
  done' _ "${pages[@]}"

# page_text PAGE: the page as plain text, without hyphenation or justification.
page_text() { MANWIDTH=300 man --nh --nj -l "$BUILD_DIR/man/$1.gz" 2>/dev/null | col -bx; }
# help_options PROG WORDS...: the long options that (sub)command's --help lists.
help_options() { "$@" --help | grep -E '^  -' | grep -oE -- '--[a-z][a-z-]*' | grep -vx -- --help; }
help_subcommands() { "$@" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p'; }
# covers PAGE PROG WORDS...: PAGE names every option of that (sub)command.
covers() {
  local page=$1 text opt; shift
  text=$(page_text "$page")
  for opt in $(help_options "$@"); do
    grep -qF -- "$opt" <<<"$text" || { echo "$page lacks $opt of '${*##*/}'"; return 1; }
  done
}
# page_for PROG SUB: ferry-pack.1 for 'ferry pack'; a command without its own
# page (ferryctl gc) is documented in the program's page.
page_for() {
  local base=$1 sub=$2 p
  for p in "$base-$sub.1" "$base-$sub.8"; do [[ -f "$BUILD_DIR/man/$p.gz" ]] && { echo "$p"; return; }; done
  [[ -f "$BUILD_DIR/man/$base.1.gz" ]] && echo "$base.1" || echo "$base.8"
}
manual_matches_help() {
  local prog base sub sub2 page
  for prog in "$FERRY" "$FERRYD" "$FERRYCTL"; do
    base=${prog##*/}
    page=$(page_for "$base" "")
    covers "$page" "$prog" || return 1
    for sub in $(help_subcommands "$prog"); do
      grep -qw -- "$sub" <<<"$(page_text "$page")" || { echo "$page lacks the command $sub"; return 1; }
      covers "$(page_for "$base" "$sub")" "$prog" "$sub" || return 1
      for sub2 in $(help_subcommands "$prog" "$sub"); do
        covers "$(page_for "$base" "$sub")" "$prog" "$sub" "$sub2" || return 1
        grep -qw -- "$sub2" <<<"$(page_text "$(page_for "$base" "$sub")")" ||
          { echo "$(page_for "$base" "$sub") lacks $sub $sub2"; return 1; }
      done
    done
  done
}
check "each program's pages name every command and option its --help lists" manual_matches_help

# Completion: the installed script, run the way bash-completion runs it.
comp=$SRC/packaging/completion/ferry
check "the completion script parses (bash -n)" bash -n "$comp"
mkdir bin && ln -s "$FERRY" bin/ferry && ln -s "$FERRYD" bin/ferryd && ln -s "$FERRYCTL" bin/ferryctl
# completes WORDS... :: EXPECTED: the words offered at the last word, sorted.
completes() {
  local words=() expected
  while [[ $1 != "::" ]]; do words+=("$1"); shift; done
  shift; expected=$*
  local got
  got=$(PATH=$WORK/bin:$PATH bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _ferry_complete; printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' _ "$comp" "${words[@]}")
  equal "$got" "$expected"
}
check "complete -p: one function for ferry, ferryd and ferryctl" \
  bash -c "source '$comp'; complete -p ferry ferryd ferryctl | grep -c _ferry_complete | grep -qx 3"
check "ferry <TAB>: its commands" completes ferry "" :: inspect keygen pack push verify
check "ferry pack --ch<TAB>: that command's options" completes ferry pack --ch :: --channel --chart-prefix
check "ferryd <TAB> and ferryd serve --l<TAB>" \
  bash -c "$(declare -f completes equal); comp='$comp' WORK='$WORK'
    completes ferryd '' :: import imports inventory serve && completes ferryd serve --l :: --listen"
check "ferryctl --data-dir /x user <TAB>: past a global option's value, the group's commands" \
  completes ferryctl --data-dir /x user "" :: add del list passwd
check "ferryctl token create --<TAB>" completes ferryctl token create -- :: --description --expires --help --user
check "ferryctl namespace set ns --import <TAB>: the option's values" \
  completes ferryctl namespace set ns --import "" :: inherit off on
finish
