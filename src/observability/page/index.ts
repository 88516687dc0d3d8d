/**
 * The dashboard page: one self-contained HTML document (inline style and script, no external request) that the
 * observability server serves at `/`. It speaks dashboard-protocol.ts: `GET /api/snapshot`, then `GET /api/stream`.
 *
 * This first version only shows the conduit's shard counts by state; the full page (grid, charts, controls) replaces
 * it.
 */

/** The page's HTML. The token, when the server has one, is read by the page from its own URL (`?token=`). */
export function dashboardPageHtml(): string {
  return PAGE;
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>twitch-realtime dashboard</title></head>
<body>
<h1>twitch-realtime</h1>
<p id="status">connecting…</p>
<script>
const token = new URLSearchParams(location.search).get('token');
const q = token === null ? '' : '?token=' + encodeURIComponent(token);
const shards = new Map();
const status = document.getElementById('status');
function render() {
  const counts = {};
  for (const s of shards.values()) counts[s.state] = (counts[s.state] || 0) + 1;
  status.textContent = Object.entries(counts).map(([k, v]) => k + ': ' + v).join(', ') || 'no conduit';
}
const es = new EventSource('/api/stream' + q);
es.addEventListener('snapshot', (e) => {
  const snap = JSON.parse(e.data);
  shards.clear();
  for (const s of snap.conduit ? snap.conduit.shards : []) shards.set(s.id, s);
  render();
});
es.addEventListener('tick', (e) => {
  for (const s of JSON.parse(e.data).shards) shards.set(s.id, s);
  render();
});
</script>
</body>
</html>
`;
