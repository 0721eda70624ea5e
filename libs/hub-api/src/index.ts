// @app/hub-api: the shapes of the hub's HTTP API that the console reads, and the few rules both
// sides apply (staff roles, the password rule). Types and plain functions only: no Nest, no
// Node built-ins, so the browser bundle can import it as it is.

export * from './roles';
export * from './password-rule';
export * from './responses';
export * from './assets';
export * from './names';
export * from './loans';
export * from './policies';
export * from './staff';
export * from './trips';
export * from './classes';
export * from './photos';
export * from './live-cache';
export * from './plain-words';
export * from './audit-actions';
export * from './number-rules';
