import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../../src/auth/device-label';

describe('deviceLabel', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0', 'Firefox 132 on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Microsoft Edge 131 on Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    ['curl/8.5.0', 'curl 8.5.0'],
    ['PostmanRuntime/7.42.0', 'PostmanRuntime 7.42.0'],
    ['Apollo/1.0 CFNetwork/1494.0.7 Darwin/23.4.0', 'Apollo 1.0'],
    ['', 'Unknown device'],
    ['   ', 'Unknown device'],
    ['something odd', 'something odd'],
  ])('%j is %j', (userAgent, label) => {
    expect(deviceLabel(userAgent)).toBe(label);
  });

  it('keeps labels short', () => {
    expect(deviceLabel('x'.repeat(5000))).toHaveLength(100);
  });
});
