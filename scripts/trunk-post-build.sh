#!/usr/bin/env bash
# Trunk's post_build hook (see Trunk.toml), for release builds only: what a deployed
# ConvLab needs to work offline and under a strict Content-Security-Policy.
#   1. Trunk's inline module script (it starts the wasm app) moves into boot.js, so the
#      page has no inline script at all;
#   2. index.html gets the policy: only the page's own origin, plus WebAssembly;
#   3. sw.js is written from www/sw.js with every file of the build and a version made
#      from their checksums.
# A debug build (`trunk serve`) is left alone: no policy to block Trunk's live-reload
# script, and no service worker to keep old files.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
dir="${TRUNK_STAGING_DIR:?Trunk sets TRUNK_STAGING_DIR}"
source_dir="${TRUNK_SOURCE_DIR:-.}"
html="$dir/index.html"

awk -v boot="$dir/boot.js" '
  !moved && /^[ \t]*<script type="module">[ \t]*$/ { inside = 1; print "<script type=\"module\" src=\"./boot.js\"></script>"; next }
  inside && /^[ \t]*<\/script>[ \t]*$/ { inside = 0; moved = 1; next }
  inside { print > boot; next }
  { print }
' "$html" > "$html.new"
mv "$html.new" "$html"
if [ ! -s "$dir/boot.js" ] || grep -Eq '<script( type="module")?>' "$html"; then
  echo "trunk-post-build: Trunk's inline start-up script was not found where expected" >&2
  exit 1
fi

policy="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'"
awk -v policy="$policy" '
  { print }
  !done && /<meta charset=/ { print "    <meta http-equiv=\"Content-Security-Policy\" content=\"" policy "\" />"; done = 1 }
' "$html" > "$html.new"
mv "$html.new" "$html"

files=$(cd "$dir" && find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)
version=$(cd "$dir" && printf '%s\n' "$files" | xargs cksum | cksum | cut -d' ' -f1)
list=$(printf '%s\n' "$files" | sed "s/.*/'&'/" | paste -sd, -)
sed -e "s/__CONVLAB_VERSION__/$version/" -e "s|'__CONVLAB_FILES__'|$list|" "$source_dir/www/sw.js" > "$dir/sw.js"
