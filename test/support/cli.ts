import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The CLIs of src/cli/ run end to end by Node with a fake `aws` first on PATH. The CLI and the private modules it
 * imports are transpiled once into a scratch directory (no type check: compile and eslint do that), so each run costs
 * a Node start, not a TypeScript one.
 */
export class CliBuild {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-build-'));

  constructor() {
    const src = path.join(__dirname, '..', '..', 'src');
    for (const sub of ['cli', 'private']) {
      fs.mkdirSync(path.join(this.dir, sub));
      for (const file of fs.readdirSync(path.join(src, sub)).filter(f => f.endsWith('.ts'))) {
        const { outputText } = ts.transpileModule(fs.readFileSync(path.join(src, sub, file), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        });
        fs.writeFileSync(path.join(this.dir, sub, file.replace(/\.ts$/, '.js')), outputText);
      }
    }
  }

  /** The transpiled `src/cli/<name>.ts`. */
  public cli(name: string): string {
    return path.join(this.dir, 'cli', `${name}.js`);
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` with `args`, the fake aws of `fakeDir` first on PATH and `env` added. */
export function runCli(script: string, args: string[], fakeDir: string, env: { [name: string]: string } = {}): Promise<CliResult> {
  return new Promise(resolve => {
    execFile(process.execPath, [script, ...args], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH}`, FAKE_AWS_DIR: fakeDir, ...env },
    }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}
