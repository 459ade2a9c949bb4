// The platform's side of the framework suites: POST a notification vector to an endpoint and
// read the answer as `[status, content type, body]`.
import http from 'node:http';

/** POSTs a vector's body (or `body`) with its content type and headers. */
export async function postVector(url, c, body = c.body) {
  const headers = [['content-type', c.call.contentType ?? 'text/xml'], ...(c.call.headers ?? [])];
  const response = await fetch(url, { method: 'POST', headers, body });
  return [response.status, response.headers.get('content-type'), await response.text()];
}

/**
 * POSTs `size` bytes on a connection of its own, closed once the answer is read: the
 * endpoint answers before the body ends, and a keep-alive connection with an unread body
 * would hold the server's close until its request timeout (@hono/node-server leaves the
 * body of a cancelled fetch Request unread).
 */
export function postOversized(url, size) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve([response.statusCode, response.headers['content-type'], text]);
      });
    });
    request.on('error', (e) => {
      if (!answered) reject(e);
    });
    request.end(Buffer.alloc(size, 'a'));
  });
}
