// The one place that talks to the service's HTTP API (/api/v1): the bearer token, JSON, errors with
// the API's "fix" text, and the server-sent event stream read through fetch() (EventSource cannot
// send an Authorization header).

const BASE = '/api/v1';
const TOKEN_KEY = 'kiln.token';

export class ApiError extends Error {
  constructor(status, error, fix) {
    super(error);
    this.status = status;
    this.fix = fix;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: t => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function headers(extra) {
  const out = {Accept: 'application/json', ...extra};
  const t = token.get();
  if (t) out.Authorization = 'Bearer ' + t;
  return out;
}

/** '/devices', {limit: 100, group: ''} -> '/api/v1/devices?limit=100' (empty values left out). */
export function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return BASE + path + (s ? '?' + s : '');
}

async function failure(res) {
  let body = {};
  try {
    body = await res.json();
  } catch (e) {
    // Not JSON (a proxy's page, say): the status line is all there is.
  }
  return new ApiError(res.status, body.error || `${res.status} ${res.statusText}`, body.fix);
}

export async function get(path, params, signal) {
  const res = await fetch(url(path, params), {headers: headers(), signal});
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function post(path, body) {
  const res = await fetch(url(path), {
    method: 'POST',
    headers: headers({'Content-Type': 'application/json'}),
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? {} : res.json();
}

/**
 * Reads a text/event-stream until it ends or signal aborts; calls onEvent(name, parsedData) for
 * each event. Comment lines (the heartbeat) are skipped.
 */
export async function follow(path, onEvent, signal) {
  const res = await fetch(url(path), {headers: headers({Accept: 'text/event-stream'}), signal});
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length) {
        const raw = data.join('\n');
        let parsed = raw;
        try {
          parsed = JSON.parse(raw);
        } catch (e) {
          // A plain-text event: handed on as it came.
        }
        onEvent(name, parsed);
      }
    }
  }
}
