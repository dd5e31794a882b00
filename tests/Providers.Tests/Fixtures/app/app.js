// The tiny app of a fake host: serves the release it started with.
// usage: node app.js <deploy root> <address> <port>
// Reads <root>/current/VERSION once at start, so only a restart changes what it serves.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [root, address, port] = process.argv.slice(2);
const version = fs.readFileSync(path.join(root, 'current', 'VERSION'), 'utf8').trim();

http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(version + '\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}).listen(Number(port), address, () => console.log(`serving ${version} on ${address}:${port}`));

process.on('SIGTERM', () => process.exit(0));
