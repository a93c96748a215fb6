import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../../src/auth/device-label';

/** A custom client's user agent ("Product/version (comment)") is labelled with its product and whole version. */
describe('deviceLabel for custom user agents', () => {
  it.each([
    ['Device0/1.0 (iteration 0)', 'Device0 1.0'],
    ['Device12/2.3.4 (iteration 12)', 'Device12 2.3.4'],
    ['MyApp/1.0', 'MyApp 1.0'],
    ['my-app/3.2.1-beta.1 (build 77; iOS 17)', 'my-app 3.2.1-beta.1'],
    ['Acme_Sync/10.0.19045 (Windows)', 'Acme_Sync 10.0.19045'],
    ['okhttp/4.12.0', 'okhttp 4.12.0'],
    ['python-requests/2.32.3', 'python-requests 2.32.3'],
    ['Go-http-client/1.1', 'Go-http-client 1.1'],
    ['node', 'node'],
  ])('%j is %j', (userAgent, label) => {
    expect(deviceLabel(userAgent)).toBe(label);
  });
});

describe('deviceLabel for browsers that lead with their own product token', () => {
  it('still labels a browser Bowser knows as one', () => {
    expect(deviceLabel('Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.16')).toBe('Opera 12 on Windows');
  });
});
