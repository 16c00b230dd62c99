/** Runs git in fleetdeck's private bare cache repository: simple-git for commands, execa where stdin is needed. */
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';

const PASSED_ENV = [
  'PATH', 'HOME', 'USER', 'TMPDIR', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'GIT_SSL_CAINFO', 'GIT_SSL_NO_VERIFY', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM',
];

export interface GitRunnerOptions {
  cacheDir: string;
  authorName: string;
  authorEmail: string;
  timeoutMs: number;
  /** Called with the argv of every git command (tests count calls; debugging). */
  trace?: (argv: readonly string[]) => void;
}

export class GitRunner {
  readonly repoDir: string;
  private git: SimpleGit | null = null;

  constructor(private readonly opts: GitRunnerOptions) {
    this.repoDir = join(opts.cacheDir, 'mirror.git');
  }

  private env(): Record<string, string> {
    // An allow-list rather than process.env: simple-git refuses editor/askpass-style variables, and git must never
    // wait for a password prompt (a refused credential fails fast). LC_ALL=C keeps messages classifiable.
    const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
    for (const key of PASSED_ENV) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    env.GIT_AUTHOR_NAME = this.opts.authorName;
    env.GIT_AUTHOR_EMAIL = this.opts.authorEmail;
    env.GIT_COMMITTER_NAME = this.opts.authorName;
    env.GIT_COMMITTER_EMAIL = this.opts.authorEmail;
    return env;
  }

  /** Runs a git command that does not need the cache repository (ls-remote). */
  async remoteRaw(args: string[]): Promise<string> {
    await mkdir(this.opts.cacheDir, { recursive: true });
    this.opts.trace?.(args);
    return simpleGit({ baseDir: this.opts.cacheDir, timeout: { block: this.opts.timeoutMs } }).env(this.env()).raw(args);
  }

  async raw(args: string[]): Promise<string> {
    const git = await this.repo();
    this.opts.trace?.(args);
    return git.raw(args);
  }

  async withInput(args: string[], input: string): Promise<string> {
    await this.repo();
    this.opts.trace?.(args);
    const result = await execa('git', args, { cwd: this.repoDir, input, env: this.env(), timeout: this.opts.timeoutMs });
    return result.stdout;
  }

  private async repo(): Promise<SimpleGit> {
    if (this.git) return this.git;
    if (!existsSync(join(this.repoDir, 'HEAD'))) {
      await mkdir(this.repoDir, { recursive: true });
      this.opts.trace?.(['init', '--bare']);
      await simpleGit({ baseDir: this.repoDir }).env(this.env()).raw(['init', '--bare', '--quiet']);
    }
    this.git = simpleGit({ baseDir: this.repoDir, timeout: { block: this.opts.timeoutMs } }).env(this.env());
    return this.git;
  }
}
