/** Building gateways: one independent client per kube context, cached, so a dead cluster only affects its own calls. */
import { ClientNodeKubeGateway, type ClientNodeGatewayOptions } from './client-node-gateway.js';
import { contextNames, loadKubeConfig, type KubeConfigSource, type KubeConnection } from './connection.js';
import type { KubeGateway } from './types.js';

export interface GatewayOptions extends ClientNodeGatewayOptions, KubeConfigSource {}

/** A gateway for one connection; `context` picks the context of a kubeconfig (default: its current context). */
export function createKubeGateway(connection: KubeConnection, options: GatewayOptions = {}): KubeGateway {
  const kc = loadKubeConfig(connection, options);
  const context = connection.kind === 'server' ? connection.name : connection.context;
  return new ClientNodeKubeGateway(kc, context, options);
}

/** The contexts a kubeconfig connection offers (e.g. to list what `KUBECONFIG` can reach). */
export function listKubeContexts(connection: KubeConnection, options: KubeConfigSource = {}): string[] {
  return contextNames(loadKubeConfig(connection, options));
}

/** Caches one gateway per context name; `forget` drops one whose connection data changed. */
export class KubeGatewayPool {
  private readonly gateways = new Map<string, KubeGateway>();

  constructor(private readonly options: GatewayOptions = {}) {}

  get(context: string, connection: KubeConnection): KubeGateway {
    let gateway = this.gateways.get(context);
    if (gateway === undefined) {
      const withContext: KubeConnection = connection.kind === 'server' ? connection : { ...connection, context: connection.context ?? context };
      gateway = createKubeGateway(withContext, this.options);
      this.gateways.set(context, gateway);
    }
    return gateway;
  }

  forget(context: string): void {
    this.gateways.delete(context);
  }

  contexts(): string[] {
    return [...this.gateways.keys()];
  }
}
