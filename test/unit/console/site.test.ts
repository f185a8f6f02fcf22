import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isConsolePath, serveConsole } from '../../../functions/console/site.ts';

const files = new Map([['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: 'export {}' }]]);

describe('the console site', () => {
  it('lets the page talk to its own origin only, and to the sign-in when there is one', () => {
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self';");
    const answer = serveConsole('/', files, {
      auth: { domain: 'https://imr-prod.auth.us-west-2.amazoncognito.com', clientId: 'c', redirectUri: 'https://api.example/' },
    });
    expect(answer.headers['content-security-policy']).toContain("connect-src 'self' https://imr-prod.auth.us-west-2.amazoncognito.com;");
    expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
    expect(answer.headers['x-frame-options']).toBe('DENY');
    // On AWS the console posts uploads to the inbox bucket with a signed form: that origin too, and no other.
    const withUploads = serveConsole('/', files, {
      auth: { domain: 'https://imr-prod.auth.us-west-2.amazoncognito.com', clientId: 'c', redirectUri: 'https://api.example/' },
      uploadOrigin: 'https://imr-prod-inbox.s3.us-west-2.amazonaws.com',
    });
    expect(withUploads.headers['content-security-policy']).toContain(
      "connect-src 'self' https://imr-prod.auth.us-west-2.amazoncognito.com https://imr-prod-inbox.s3.us-west-2.amazonaws.com;",
    );
  });

  it('serves the login settings, its files, and 404 for anything else under /console', () => {
    expect(JSON.parse(serveConsole('/console/config.json', files, { auth: null }).body)).toEqual({ auth: null });
    expect(serveConsole('/console/app.js', files, { auth: null })).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
    });
    expect(serveConsole('/console/../../etc/passwd', files, { auth: null }).statusCode).toBe(404);
  });

  it('claims only its own paths, leaving the API routes alone', () => {
    expect(['/', '/index.html', '/console/app.js'].every(isConsolePath)).toBe(true);
    expect(['/determinations', '/consoles', '/openapi.json'].some(isConsolePath)).toBe(false);
  });
});
