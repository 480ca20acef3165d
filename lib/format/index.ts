export * from './csv';
export * from './duration';
export * from './number';
export * from './time';
