// The app of one fleet host, as a real web app would behave: it reports the version its release
// is configured with (opensky.version in opensky/config/version.ini, the file the hotfix and the
// daily release bump), read once at start, so only a restart changes what it serves.
// usage: node app.js <deploy root> <address> <port>
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [root, address, port] = process.argv.slice(2);

function configuredVersion(release) {
  const ini = fs.readFileSync(path.join(release, 'opensky', 'config', 'version.ini'), 'utf8');
  let section = '';
  for (const raw of ini.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(line);
    if (section === 'opensky' && pair && pair[1].trim() === 'version') {
      return pair[2].trim();
    }
  }
  throw new Error(`no opensky.version in ${release}/opensky/config/version.ini`);
}

const version = configuredVersion(path.join(root, 'current'));

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
