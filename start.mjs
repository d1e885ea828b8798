// `npm start`: Node's compile cache is switched on before any TypeScript is read, so that a restart neither strips the
// types again nor loads the type stripper (about 15 MB of memory for the life of the server), then main.ts runs.
import module from 'node:module';

module.enableCompileCache?.();
await import('./main.ts');
