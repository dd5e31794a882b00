// The app of one fleet host, as a real web app would behave: it reports the version its release
// is configured with (opensky.version in opensky/config/version.ini, the file the hotfix and the
// daily release bump), read once at start, so only a restart changes what it serves. A release
// without that file (the provider tests' releases hold only a VERSION file) reports VERSION's text.
// usage: node app.js <deploy root> <address> <port>
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [root, address, port] = process.argv.slice(2);

// Read as the team's own scripts do: the literal key opensky.version (in any section), else
// key version in [opensky].
function configuredVersion(release) {
  const file = path.join(release, 'opensky', 'config', 'version.ini');
  let section = '';
  let literal;
  let sectioned;
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const pair = /^([^=;#][^=]*)=(.*)$/.exec(line);
    if (!pair) continue;
    const key = pair[1].trim();
    const value = pair[2].replace(/\s[;#].*$/, '').trim();
    if (key === 'opensky.version') literal = value;
    else if (section === 'opensky' && key === 'version') sectioned = value;
  }
  const version = literal ?? sectioned;
  if (version === undefined) throw new Error(`no opensky.version in ${file}`);
  return version;
}

function releaseVersion(release) {
  if (fs.existsSync(path.join(release, 'opensky', 'config', 'version.ini'))) return configuredVersion(release);
  return fs.readFileSync(path.join(release, 'VERSION'), 'utf8').trim();
}

const version = releaseVersion(path.join(root, 'current'));

// GET /slow answers after SLOW_MS, as a report or an upload does: a request in flight that a
// restart without draining would cut (SIGTERM below exits at once, as an app without graceful
// shutdown does).
const SLOW_MS = 1000;

http.createServer((req, res) => {
  if (req.url === '/' || req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(version + '\n');
  } else if (req.url === '/slow') {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(version + '\n');
    }, SLOW_MS);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}).listen(Number(port), address, () => console.log(`serving ${version} on ${address}:${port}`));

process.on('SIGTERM', () => process.exit(0));
