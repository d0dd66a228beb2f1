/**
 * The deployment files, checked without a cluster or a Docker daemon: every
 * Kubernetes object in deploy/k8s/ validated against the Kubernetes OpenAPI
 * schemas (kubernetes-models), the ConfigMap's shardis.conf read by shardis's
 * own config parser, the probes, Services, PDB and volumes pointing at what
 * that config opens and the pods carry, the StatefulSet's start script run
 * in a shell (a stand-in `node` prints the command line it gets); and
 * deploy/compose.yaml's services, commands, files and volumes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IContainerPort, IPodSpec } from 'kubernetes-models/v1';
import { parseArgs, getConfigValue, type Config } from '../../src/config/config.ts';
import { finalStage, readDockerfile } from '../helpers/dockerfile.ts';

const ROOT = join(import.meta.dirname, '../..');
const K8S = join(ROOT, 'deploy/k8s');
const tmp = mkdtempSync(join(tmpdir(), 'shardis-manifests-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<string, unknown>;

const MODELS: Record<string, (o: Obj) => { validate(): void }> = {
  'apps/v1 StatefulSet': (o) => new StatefulSet(o as never),
  'v1 Service': (o) => new Service(o as never),
  'v1 ConfigMap': (o) => new ConfigMap(o as never),
  'policy/v1 PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
};

const objects: Obj[] = readdirSync(K8S).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
  parseAllDocuments(readFileSync(join(K8S, f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], f);
    return d.toJS() as Obj;
  }));
const find = <T>(kind: string, name: string): T & Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name}`);
  return o as T & Obj;
};

/** shardis's parser reads the text as a config file (it throws on a line it would refuse at start-up). */
function readConfig(text: string, name: string): Config {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return parseArgs([file]);
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

test('every Kubernetes object validates against the Kubernetes schemas', () => {
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    ['ConfigMap/shardis-config', 'PodDisruptionBudget/shardis', 'Service/shardis', 'Service/shardis-headless', 'StatefulSet/shardis']);
  for (const o of objects) {
    const model = MODELS[`${o.apiVersion} ${o.kind}`];
    assert.ok(model, `a model for ${o.apiVersion} ${o.kind}`);
    model(o).validate();
  }
  // and the validation does catch a wrong object
  const sts = structuredClone(find('StatefulSet', 'shardis')) as Obj & { spec: Record<string, unknown> };
  delete sts.spec.selector;
  assert.throws(() => new StatefulSet(sts as never).validate(), /selector/);
});

test('the StatefulSet: probes, ports, volumes and services match the ConfigMap config and the pod labels', () => {
  const cm = find<{ data: Record<string, string> }>('ConfigMap', 'shardis-config');
  const cfg = readConfig(cm.data['shardis.conf']!, 'shardis.conf');
  const httpPort = Number(getConfigValue(cfg, 'http-port'));
  assert.equal(cfg.port, 6379);
  assert.equal(httpPort, 7379);
  assert.deepEqual(cfg.bind, ['0.0.0.0']);
  assert.equal(getConfigValue(cfg, 'protected-mode'), 'no');

  const sts = find<{ spec: { serviceName: string; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: IPodSpec }; volumeClaimTemplates: Array<{ metadata: { name: string } }> } }>('StatefulSet', 'shardis');
  const pod = sts.spec.template.spec;
  const labels = sts.spec.template.metadata.labels;
  assert.ok(matches(sts.spec.selector.matchLabels, labels));
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(pod.securityContext?.runAsUser, 1000, "the image's node user");
  const c: IContainer = pod.containers[0]!;
  const ports = new Map((c.ports ?? []).map((p: IContainerPort) => [p.name!, p.containerPort]));
  assert.equal(ports.get('redis'), cfg.port);
  assert.equal(ports.get('http'), httpPort);
  const portOf = (p: number | string): number => (typeof p === 'number' ? p : ports.get(p)!);
  assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
  assert.equal(portOf(c.readinessProbe!.httpGet!.port), httpPort);
  assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(portOf(c.livenessProbe!.httpGet!.port), httpPort);

  // /data on the claim of each pod; the config file from the ConfigMap
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
  assert.equal(mounts.get(cfg.dir), sts.spec.volumeClaimTemplates[0]!.metadata.name);
  const configVolume = pod.volumes!.find((v) => v.name === mounts.get('/etc/shardis'))!;
  assert.equal(configVolume.configMap?.name, cm.metadata.name);
  assert.ok(c.args![0]!.includes('/etc/shardis/shardis.conf'));

  // the headless Service names the pods (before they are ready: replicas find the primary while it loads)
  const headless = find<{ spec: { clusterIP: string; publishNotReadyAddresses: boolean; selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } }>('Service', sts.spec.serviceName);
  assert.equal(headless.spec.clusterIP, 'None');
  assert.equal(headless.spec.publishNotReadyAddresses, true);
  const client = find<{ spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } }>('Service', 'shardis');
  for (const svc of [headless, client]) {
    const { 'statefulset.kubernetes.io/pod-name': podName, ...rest } = svc.spec.selector;
    assert.ok(matches(rest, labels), `${svc.metadata.name} selects the pods`);
    if (podName !== undefined) assert.equal(podName, `${sts.metadata.name}-0`, 'the client Service reaches the primary');
    for (const p of svc.spec.ports) assert.equal(portOf(p.targetPort), p.port, `${svc.metadata.name} ${p.targetPort}`);
  }
  const pdb = find<{ spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable: number } }>('PodDisruptionBudget', 'shardis');
  assert.ok(matches(pdb.spec.selector.matchLabels, labels));
  assert.equal(pdb.spec.maxUnavailable, 1);
});

test("the StatefulSet's start script: pod 0 the primary, the others its replicas, with the config file", () => {
  const sts = find<{ spec: { serviceName: string; template: { spec: IPodSpec } } }>('StatefulSet', 'shardis');
  const c = sts.spec.template.spec.containers[0]!;
  assert.deepEqual(c.command, ['sh', '-c']);
  // a stand-in `node` that prints the arguments it was started with
  writeFileSync(join(tmp, 'node'), '#!/bin/sh\nprintf "%s|" "$@"\n');
  chmodSync(join(tmp, 'node'), 0o755);
  const run = (hostname: string): string[] => execFileSync('sh', ['-c', c.args![0]!], {
    env: { PATH: `${tmp}${delimiter}${process.env.PATH ?? ''}`, HOSTNAME: hostname }, encoding: 'utf8',
  }).split('|').slice(0, -1);
  const base = ['--max-semi-space-size=2', 'dist/main.js', '/etc/shardis/shardis.conf'];
  assert.deepEqual(run('shardis-0'), base);
  assert.deepEqual(run('shardis-2'), [...base, '--replicaof', `shardis-0.${sts.spec.serviceName}`, '6379']);
  assert.deepEqual(run('shardis-10'), [...base, '--replicaof', `shardis-0.${sts.spec.serviceName}`, '6379']);
});

interface ComposeService {
  build?: { context: string; dockerfile: string };
  image?: string;
  command: string[];
  volumes?: string[];
  depends_on?: string[];
  ports?: string[];
}

test('compose.yaml: a primary, two replicas of it and a Sentinel monitoring it, with existing files and declared volumes', () => {
  const deploy = join(ROOT, 'deploy');
  const compose = parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const services = compose.services;
  assert.deepEqual(Object.keys(services).sort(), ['primary', 'replica1', 'replica2', 'sentinel']);
  const cmd = finalStage(readDockerfile(join(ROOT, 'Dockerfile'))).find((i) => i.op === 'CMD')!.exec!;
  for (const name of ['primary', 'replica1', 'replica2']) {
    const s = services[name]!;
    assert.ok(existsSync(join(resolve(deploy, s.build!.context), s.build!.dockerfile)), `${name} builds the Dockerfile`);
    // the image's CMD, plus replicaof for the replicas; shardis's parser accepts the flags
    assert.deepEqual(s.command.slice(0, cmd.length), cmd);
    const extra = s.command.slice(cmd.length);
    assert.deepEqual(extra, name === 'primary' ? [] : ['--replicaof', 'primary', '6379']);
    const cfg = parseArgs(s.command.slice(cmd.indexOf('dist/main.js') + 1));
    assert.equal(cfg.port, 6379);
    assert.equal(getConfigValue(cfg, 'replicaof'), name === 'primary' ? '' : 'primary 6379');
    assert.ok(s.volumes!.some((v) => v.endsWith(':/data')), `${name} keeps /data on a volume`);
  }
  assert.deepEqual(services.primary!.ports, ['6379:6379', '7379:7379']);

  const sentinel = services.sentinel!;
  assert.equal(sentinel.image, 'redis:7.4');
  const confMount = sentinel.volumes!.find((v) => v.includes('sentinel.conf'))!;
  const confFile = resolve(deploy, confMount.split(':')[0]!);
  assert.ok(existsSync(confFile));
  assert.ok(sentinel.command.join(' ').includes(`redis-sentinel`));
  const conf = readFileSync(confFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const monitor = conf.findIndex((l) => l.startsWith('sentinel monitor '));
  const [, , master, host, port, quorum] = conf[monitor]!.split(/\s+/);
  assert.equal(master, 'mymaster');
  assert.ok(host! in services, 'Sentinel monitors a service of the file');
  assert.equal(port, '6379');
  assert.equal(quorum, '1');
  // a host name (not an IP) needs resolve-hostnames before the monitor line
  assert.ok(conf.indexOf('sentinel resolve-hostnames yes') >= 0 && conf.indexOf('sentinel resolve-hostnames yes') < monitor);

  // every named volume a service mounts is declared
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!;
      if (!source.startsWith('.') && !source.startsWith('/')) assert.ok(source in compose.volumes, `${name}: volume ${source} declared`);
    }
    for (const d of s.depends_on ?? []) assert.ok(d in services, `${name} depends on ${d}`);
  }
});
