#!/usr/bin/env node
// The CDK app: builds the stacks and nothing else.
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.ts';

buildApp(new App());
