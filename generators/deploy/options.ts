// What the deployment files are made from: typed options, no model internals.

export interface DeployPort {
  readonly name: string;
  /** Open Inference Protocol datatype. */
  readonly datatype: string;
  /** Open Inference Protocol shape (-1: any size). */
  readonly shape: readonly number[];
  /** The module's type (float32, ..., or a non-tensor type). */
  readonly type: string;
  /** A valid value for the examples (a categorical field's first category), when there is one. */
  readonly example?: string | number | boolean;
}

export interface DeployModel {
  readonly name: string;
  readonly version: string;
  readonly format: string;
  readonly sha256: string;
  readonly inputs: readonly DeployPort[];
  readonly outputs: readonly DeployPort[];
}

export interface DeployOptions {
  /** "mlcompile 0.1.0", for headers. */
  readonly compiler: string;
  /** Kubernetes object and image name: a DNS-1123 label. */
  readonly appName: string;
  /** Container port (the server's $PORT). */
  readonly port: number;
  /** Every model version in the directory, by name then version. */
  readonly models: readonly DeployModel[];
  /** The version unversioned URLs answer with, per model name. */
  readonly latest: ReadonlyMap<string, string>;
}

export const NODE_IMAGE = 'node:20-slim';
/** The node image's unprivileged `node` user. */
export const RUN_AS = 1000;

/** A DNS-1123 label (Kubernetes names): lower case, [a-z0-9-], at most 63 characters, alphanumeric at both ends. */
export function dnsLabel(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return s === '' ? 'model' : s;
}

export function imageName(o: DeployOptions): string {
  return `${o.appName}-server`;
}
