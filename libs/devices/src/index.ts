// @app/devices: what the hub and every device share — the protocol, proofs, identity, enrolment
// and the device client. Apps import from here, never from the files behind it.

export * from './protocol';
export * from './staff-events';
export * from './validation';
export * from './schemas';
export * from './input-rules';
export * from './proof';
export * from './identity';
export * from './enroll';
export * from './enforcer';
export * from './journal';
export * from './client';
export * from './trust';
export * from './photo-upload';
export * from './deadline';
