// Plexus's Docker compatibility as dockerode (an SDK Plexus did not write) sees it: every call dockerode has
// for networks, containers as sandboxes, exec, version, info, events and ping, against a real plexusd.
// Run by tests/Plexus.Compat.Tests (DockerodeTests), which starts plexusd in a namespace of its own and
// passes its socket in DOCKER_SOCKET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';

const socketPath = process.env.DOCKER_SOCKET;
if (!socketPath) throw new Error('DOCKER_SOCKET must name plexusd\'s socket');
const docker = new Docker({ socketPath, version: 'v1.45' });

// Sandboxes are made through Plexus's own endpoint (there are no images to make containers from).
function sandbox(body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ socketPath, path: '/v1.45/plexus/sandboxes', method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, res => {
      let text = '';
      res.on('data', chunk => { text += chunk; });
      res.on('end', () => res.statusCode === 201 ? resolve(JSON.parse(text).Id) : reject(new Error(`${res.statusCode}: ${text}`)));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Docker's multiplexed stream, read to its end and split into stdout and stderr.
function demux(stream) {
  return new Promise((resolve, reject) => {
    const out = new PassThrough(), err = new PassThrough();
    let stdout = '', stderr = '';
    out.on('data', d => { stdout += d; });
    err.on('data', d => { stderr += d; });
    docker.modem.demuxStream(stream, out, err);
    stream.on('end', () => resolve({ stdout, stderr }));
    stream.on('close', () => resolve({ stdout, stderr }));
    stream.on('error', reject);
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

test('ping, version, info and disk usage', async () => {
  assert.equal((await docker.ping()).toString(), 'OK');
  const version = await docker.version();
  assert.equal(version.Platform.Name, 'Plexus');
  assert.equal(version.ApiVersion, '1.45');
  const info = await docker.info();
  assert.equal(info.FirewallBackend.Driver, 'nftables');
  assert.equal(info.Swarm.LocalNodeState, 'inactive');
  const df = await docker.df();
  assert.deepEqual(df.Images, []);
  assert.deepEqual(df.Volumes, []);
});

test('networks: create, list, inspect, connect, disconnect, remove, prune', async () => {
  const created = await docker.createNetwork({
    Name: 'node net+1', IPAM: { Config: [{ Subnet: '10.91.0.0/24' }, { Subnet: 'fd00:91::/64' }] }, Labels: { owner: 'node' },
  });
  const net = docker.getNetwork(created.id);
  const shown = await net.inspect();
  assert.equal(shown.Name, 'node net+1');
  assert.equal(shown.EnableIPv6, false);
  assert.deepEqual(shown.IPAM.Config.map(c => c.Subnet), ['10.91.0.0/24', 'fd00:91::/64']);
  assert.equal('IPRange' in shown.IPAM.Config[0], false);
  const listed = await docker.listNetworks({ filters: { label: ['owner=node'] } });
  assert.deepEqual(listed.map(n => n.Id), [created.id]);
  assert.equal((await docker.getNetwork(created.id).inspect({ scope: 'swarm' }).catch(e => e)).statusCode, 404);

  await sandbox({ Name: 'node-peer', Network: created.id });
  await sandbox({ Name: 'node-c1' });
  await net.connect({ Container: 'node-c1', EndpointConfig: {
    IPAMConfig: { IPv4Address: '10.91.0.50' }, Aliases: ['web'], Links: ['node-peer:friend'], DriverOpts: { 'com.example': 'x' } } });
  const c1 = await docker.getContainer('node-c1').inspect();
  const ep = c1.NetworkSettings.Networks['node net+1'];
  assert.equal(ep.IPAddress, '10.91.0.50');
  assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.91.0.50' });
  assert.deepEqual(ep.Links, ['node-peer:friend']);
  assert.deepEqual(ep.DriverOpts, { 'com.example': 'x' });
  assert.deepEqual(ep.Aliases, ['web']);

  await net.disconnect({ Container: 'node-c1' });
  assert.equal('node net+1' in (await docker.getContainer('node-c1').inspect()).NetworkSettings.Networks, false);
  await docker.getContainer('node-peer').remove({ force: true });
  await net.remove();
  assert.equal((await net.inspect().catch(e => e)).statusCode, 404);

  await docker.createNetwork({ Name: 'node-keep', Labels: { keep: '1' } });
  await docker.createNetwork({ Name: 'node-drop' });
  assert.deepEqual((await docker.pruneNetworks({ filters: { until: ['1h'] } })).NetworksDeleted ?? [], []);
  assert.deepEqual((await docker.pruneNetworks({ filters: { 'label!': ['keep'] } })).NetworksDeleted, ['node-drop']);
  assert.equal((await docker.pruneNetworks({ filters: { dangling: ['true'] } }).catch(e => e)).statusCode, 400);
  await docker.getNetwork('node-keep').remove();
});

test('sandboxes as containers: list, inspect, logs, exec, remove', async () => {
  await docker.createNetwork({ Name: 'node-web', IPAM: { Config: [{ Subnet: '10.92.0.0/24' }] } });
  await sandbox({ Name: 'node-old', Network: 'node-web', Publish: ['8092:80'], Cmd: ['sh', '-c', 'echo hello; exec sleep 600'] });
  await sleep(1100); // Docker orders by creation time; a second apart is unambiguous
  await sandbox({ Name: 'node-done', Cmd: ['sh', '-c', 'exit 5'] });
  await sleep(1100);
  // Wait for what the processes do: node-done to end, node-old to say hello.
  for (let i = 0; i < 600 && (await docker.getContainer('node-done').inspect()).State.Running; i++) await sleep(100);
  for (let i = 0; i < 600 && (await docker.getContainer('node-old').logs({ stdout: true })).length === 0; i++) await sleep(100);

  const running = await docker.listContainers();
  assert.deepEqual(running.map(c => c.Names[0]), ['/node-old', '/node-c1']); // newest first, running only
  const all = await docker.listContainers({ all: true });
  const names = all.map(c => c.Names[0]);
  assert.ok(names.indexOf('/node-done') < names.indexOf('/node-old'), 'newest first');
  const done = all.find(c => c.Names[0] === '/node-done');
  assert.match(done.Status, /^Exited \(5\) /);
  assert.deepEqual((await docker.listContainers({ limit: 1 })).map(c => c.Names[0]), [names[0]]);
  assert.deepEqual((await docker.listContainers({ filters: { publish: ['8092/tcp'] } })).map(c => c.Names[0]), ['/node-old']);
  assert.deepEqual((await docker.listContainers({ all: true, filters: { exited: ['5'] } })).map(c => c.Names[0]), ['/node-done']);

  const old = docker.getContainer('node-old');
  assert.equal((await old.inspect()).State.Running, true);
  const logs = await old.logs({ stdout: true, stderr: true });
  assert.equal(logs.subarray(8).toString(), 'hello\n'); // one stdout frame
  assert.equal(logs[0], 1);

  const exec = await old.exec({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 4'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const { stdout, stderr } = await demux(stream);
  assert.equal(stdout, 'out\n');
  assert.equal(stderr, 'err\n');
  let state = await exec.inspect();
  for (let i = 0; i < 600 && state.Running; i++) { await sleep(100); state = await exec.inspect(); }
  assert.equal(state.ExitCode, 4);

  assert.equal((await old.remove().catch(e => e)).statusCode, 409);
  await old.remove({ force: true });
  assert.equal((await old.inspect().catch(e => e)).statusCode, 404);
  await docker.getContainer('node-done').remove();
  await docker.getContainer('node-c1').remove({ force: true });
  await docker.getNetwork('node-web').remove();
});

test('events stream what changes, filtered as asked', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const created = await docker.createNetwork({ Name: 'node-events' });
  await docker.getNetwork(created.id).remove();
  const until = Math.floor(Date.now() / 1000) + 1;
  await sleep(1100);
  const stream = await docker.getEvents({ since, until, filters: { type: ['network'], network: [created.id] } });
  let text = '';
  for await (const chunk of stream) text += chunk;
  const events = text.trim().split('\n').map(line => JSON.parse(line));
  assert.deepEqual(events.map(e => e.Action), ['create', 'destroy']);
  assert.equal(events[0].Actor.Attributes.name, 'node-events');
  assert.equal(events[0].Type, 'network');
  assert.equal(events[0].scope, 'local');
});

test('swarm: a network daemon is not part of a swarm', async () => {
  const leave = await docker.swarmLeave({ force: true }).catch(e => e);
  assert.equal(leave.statusCode, 503);
  assert.match(leave.json?.message ?? String(leave.reason ?? leave.message), /not part of a swarm/);
  assert.equal((await docker.listNodes().catch(e => e)).statusCode, 503);
  assert.equal((await docker.listServices().catch(e => e)).statusCode, 503);
});
