/** Cluster mode's error texts: the gate's refusals (Redis's clusterRedirectClient) and etcd's absence. */

export const ETCD_DOWN = 'ERR cluster: etcd is unavailable, topology changes are refused until it returns';

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
export const TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';
export const DOWN = 'CLUSTERDOWN The cluster is down';
export const DOWN_RO = 'CLUSTERDOWN The cluster is down and only accepts read commands';
export const UNBOUND = 'CLUSTERDOWN Hash slot not served';

/** A refusal of the cluster gate (an EXEC answers it as it is, not as EXECABORT). */
export function isRedirect(msg: string): boolean {
  return /^(MOVED|ASK|CROSSSLOT|TRYAGAIN|CLUSTERDOWN) /.test(msg);
}
