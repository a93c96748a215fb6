// Monaco runs its language services in web workers; this bundles them with the page (no CDN).
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './playground.css';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { fetcher } from './fetcher';

const DEFAULT_QUERY = `# Welcome to the login-activity playground.
#
# 1. Run Register (or Login if the email is
#    taken): choose it with the run button.
# 2. Copy the \`token\` from the result.
# 3. In the Headers tab below, enter
#    {"Authorization": "Bearer <token>"}
# 4. Run MyLogins: where you are logged in,
#    newest first; \`current: true\` is this token,
#    \`location\` is null for a local address.
# 5. Run LoginActivity: it stays open over a
#    WebSocket (the token goes with it) and
#    shows each login and logout of this user
#    as it happens. The run button stops it.
# 6. ChangePassword sets a new password and
#    logs out your other devices (their sockets
#    get REVOKED: PASSWORD_CHANGED).
# 7. Run MySecurityEvents: your security log,
#    newest first (sign-ins, wrong passwords,
#    sign-outs, that password change). For the
#    next page, set \`after\` to its \`endCursor\`.
#
# The top icon on the left opens the schema docs.

mutation Register {
  register(input: {
    email: "alice@example.com"
    password: "correct horse battery"
  }) {
    token
    expiresAt
    login { id device }
  }
}

mutation Login {
  login(input: {
    email: "alice@example.com"
    password: "correct horse battery"
  }) {
    token
    expiresAt
    login { id device }
  }
}

query MyLogins {
  myLogins {
    id
    device
    ipAddress
    createdAt
    lastSeenAt
    idleExpiresAt
    current
    location { city country }
  }
}

subscription LoginActivity {
  loginActivity {
    kind
    at
    login { device current revokedReason }
  }
}

mutation ChangePassword {
  changePassword(input: {
    currentPassword: "correct horse battery"
    newPassword: "a new and longer one"
    logoutOtherDevices: true
  })
}

query MySecurityEvents {
  mySecurityEvents(first: 10, after: null) {
    edges {
      node {
        kind
        at
        device
        ipAddress
        location { city country }
        revokedReason
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={DEFAULT_QUERY}
      // Show the headers editor from the start: that is where the token goes.
      defaultEditorToolsVisibility="headers"
      // A bearer token is a password for as long as it lives: keep it out of localStorage unless asked.
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
