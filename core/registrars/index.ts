export type { Registrar, Registration, RegistrarKind, RegistrationContext, ClusterCredentials, EnsureAction, EnsureResult } from './types.js';
export { isRegistrableName } from './types.js';
export type { SecretObject, SecretsApi } from './secrets-api.js';
export { decodeSecretValue } from './secrets-api.js';
export { ArgoCdRegistrar, ARGOCD_SECRET_TYPE_LABEL, type ArgoCdRegistrarOptions } from './argocd-registrar.js';
export { PortainerRegistrar, type PortainerRegistrarOptions } from './portainer-registrar.js';
export { HaproxyRegistrar, type HaproxyRegistrarOptions } from './haproxy-registrar.js';
export { renderManagedSection, parseManagedRoutes, withManagedSection, BEGIN_MARKER, END_MARKER, type HaproxyRoute } from './haproxy-config.js';
