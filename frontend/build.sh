#!/usr/bin/env bash
# Rebuild the vendored front-end files. The outputs are committed, so only
# run this when you change frontend/package.json, package-lock.json or
# nhsuk.scss. People who just run the app never need npm.
#
# Outputs:
#   src/pcndev/static/nhsuk/nhsuk.min.css             compiled from nhsuk.scss (compressed)
#   src/pcndev/static/nhsuk/nhsuk.min.js              NHS.UK frontend JS: the published
#                                                     nhsuk-frontend.min.js, an ES module
#                                                     that exports initAll() and does not
#                                                     run it (src/pcndev/static/pcndev/init.js does)
#   src/pcndev/static/nhsuk/nhsuk.min.js.map          its source map
#   src/pcndev/static/nhsuk/assets/                   images (icons, logos, favicons) + manifest.json
#   src/pcndev/static/nhsuk/VERSION                   versions used in the build
#   tests/e2e/vendor/axe.min.js                       axe-core, for accessibility tests
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$repo/src/pcndev/static/nhsuk"
e2e_vendor="$repo/tests/e2e/vendor"
nhsuk_dist="$here/node_modules/nhsuk-frontend/dist/nhsuk"

cd "$here"

# Install exactly what package-lock.json lists. No install scripts are needed:
# the only package that has one is @parcel/watcher, an optional sass
# dependency that only `sass --watch` uses.
npm ci --ignore-scripts --no-audit --no-fund

nhsuk_version="$(node -p 'require("./node_modules/nhsuk-frontend/package.json").version')"
axe_version="$(node -p 'require("./node_modules/axe-core/package.json").version')"
sass_version="$(node -p 'require("./node_modules/sass/package.json").version')"

# Start from an empty folder so files from an older build don't linger.
rm -rf "$out"
mkdir -p "$out" "$e2e_vendor"

# CSS
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  nhsuk.scss "$out/nhsuk.min.css"

# JS: the published bundle, an ES module that exports initAll() and friends.
# It is renamed to nhsuk.min.js, so its sourceMappingURL comment is updated to match.
sed 's|sourceMappingURL=nhsuk-frontend\.min\.js\.map|sourceMappingURL=nhsuk.min.js.map|' \
  "$nhsuk_dist/nhsuk-frontend.min.js" > "$out/nhsuk.min.js"
grep -q 'sourceMappingURL=nhsuk.min.js.map' "$out/nhsuk.min.js"
cp "$nhsuk_dist/nhsuk-frontend.min.js.map" "$out/nhsuk.min.js.map"

# Assets: images/ (icons, favicons, logos, opengraph image) and manifest.json
cp -R "$nhsuk_dist/assets" "$out/assets"

# axe-core for the e2e accessibility checks
cp node_modules/axe-core/axe.min.js "$e2e_vendor/axe.min.js"

cat > "$out/VERSION" <<EOF
nhsuk-frontend $nhsuk_version
sass $sass_version
Built by frontend/build.sh from frontend/nhsuk.scss.
EOF

# Check that the CSS and JS the app serves point at no external host.
# (Not checked: nhsuk.min.js.map, whose embedded source comments link
# to GitHub and docs sites, and axe.min.js, which is test-only and holds its
# licence links, an SVG namespace and dequeuniversity.com rule-help URLs that
# it reports but never fetches.)
fail=0
if grep -Eo 'https?://[^")[:space:]]*|@import|fonts\.(googleapis|gstatic|nhs)' "$out/nhsuk.min.css"; then
  echo "ERROR: nhsuk.min.css refers to an external host or uses @import" >&2
  fail=1
fi
# Every url(...) in the CSS must be a data: URI or a file we ship.
while IFS= read -r ref; do
  case "$ref" in
    data:*) ;;
    /static/nhsuk/assets/*)
      if [ ! -f "$out/assets/${ref#/static/nhsuk/assets/}" ]; then
        echo "ERROR: nhsuk.min.css refers to missing file $ref" >&2
        fail=1
      fi
      ;;
    *)
      echo "ERROR: nhsuk.min.css has an unexpected url($ref)" >&2
      fail=1
      ;;
  esac
done < <(grep -Eo 'url\([^)]*\)' "$out/nhsuk.min.css" | sed -E 's/^url\(["'"'"']?//; s/["'"'"']?\)$//' | sort -u)
if grep -Eo 'https?://[^"'"'"'`)[:space:]]*' "$out/nhsuk.min.js" | grep -v '^http://www\.w3\.org/'; then
  echo "ERROR: nhsuk.min.js contains an external URL (see above)" >&2
  fail=1
fi
[ "$fail" -eq 0 ] || exit 1

echo "Built nhsuk-frontend $nhsuk_version into ${out#"$repo"/}, axe-core $axe_version into ${e2e_vendor#"$repo"/}"
