import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImrFunction } from '../../../lib/imr-function.ts';

// Bundles for real (esbuild, then npm ci in the bundle folder, from the npm registry or its cache), as `cdk synth` does.
describe('bundling', () => {
  it('installs sharp beside the pages bundle for Linux ARM64, whatever machine bundles', () => {
    const out = mkdtempSync(join(tmpdir(), 'imr-bundling-'));
    try {
      const app = new App({ outdir: out });
      const stack = new Stack(app, 'Bundled');
      new ImrFunction(stack, 'Pages', { handlerFolder: 'pages', logKey: new kms.Key(stack, 'Key'), nodeModules: ['@hyzyla/pdfium', 'sharp'] });
      app.synth();
      const bundles = readdirSync(out).filter((name) => name.startsWith('asset.') && existsSync(join(out, name, 'node_modules', 'sharp')));
      expect(bundles).toHaveLength(1);
      const images = join(out, bundles[0]!, 'node_modules', '@img');
      expect(
        readdirSync(images)
          .filter((name) => name.startsWith('sharp-'))
          .sort(),
      ).toEqual(['sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
