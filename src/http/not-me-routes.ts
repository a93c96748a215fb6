import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import { clientInfo, type Locate } from '../auth/client-info';
import type { NewDeviceAlerts } from '../auth/new-device-alerts';
import type { ClientAddressOf } from './client-address';
import type { HttpError } from './http-errors';
import { alreadyRevokedPage, invalidLinkPage, loggedOutPage, NOT_ME_PAGE_HEADERS, NOT_ME_PATH, notMePage } from './not-me-page';

/** What the pages ask of the alert links: to show the login a link names, and to use the link. */
export type AlertLinkPages = Pick<NewDeviceAlerts, 'describe' | 'logOut'>;

/** A form with one short field: anything larger is no click on the button. */
export const NOT_ME_FORM_LIMIT_BYTES = 1024;
/** Longer than any token the links carry; a longer value is not looked up. */
const MAX_TOKEN_LENGTH = 256;

function tokenOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TOKEN_LENGTH ? value : null;
}

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).set(NOT_ME_PAGE_HEADERS).type('html').send(html);
}

/** The body parser's refusals (too large, malformed, an unknown charset) as the invalid-link page, not JSON. */
const formErrors: ErrorRequestHandler = (error: HttpError, _req, res, next) => {
  const status = error.status ?? error.statusCode;
  if (res.headersSent || status === undefined || status < 400 || status >= 500) return next(error);
  sendPage(res, status, invalidLinkPage());
};

/**
 * The page a new-sign-in email links to, served by this server and usable without JavaScript.
 * GET only shows the login (mail scanners and link previews fetch links, and must change nothing);
 * only the button's POST logs it out. Statuses: GET 200, or 404 for a link that does not work;
 * POST 200 (logged out now, or already), 410 for a link that no longer works, 400 for a form
 * without a token. An unexpected error (the database unavailable) goes on to the app's error handler.
 */
export function notMeRoutes(links: AlertLinkPages, clientAddressOf: ClientAddressOf, locate: Locate): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: NOT_ME_FORM_LIMIT_BYTES, parameterLimit: 10 });

  router.get(NOT_ME_PATH, async (req, res) => {
    const token = tokenOf(req.query['token']);
    const login = token === null ? null : await links.describe(token, new Date());
    if (token === null || login === null) return sendPage(res, 404, invalidLinkPage());
    if (login.revoked) return sendPage(res, 200, alreadyRevokedPage());
    sendPage(res, 200, notMePage({ ...login, token }));
  });

  router.post(NOT_ME_PATH, form, async (req, res) => {
    const token = tokenOf((req.body as Record<string, unknown> | undefined)?.['token']);
    if (token === null) return sendPage(res, 400, invalidLinkPage());
    const source = clientInfo(clientAddressOf(req), req.headers['user-agent'], locate);
    const outcome = await links.logOut(token, source, new Date());
    if (outcome === 'revoked') return sendPage(res, 200, loggedOutPage());
    if (outcome === 'already-revoked') return sendPage(res, 200, alreadyRevokedPage());
    sendPage(res, 410, invalidLinkPage());
  });

  router.use(NOT_ME_PATH, formErrors);
  return router;
}
