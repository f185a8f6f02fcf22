import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
buildApp(app);
try { app.synth(); console.log('synth ok'); } catch (e) { console.log(String((e as Error).message).slice(0, 6000)); }
