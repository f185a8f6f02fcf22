import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ImrFunction } from './imr-function.ts';

/** Props of the review console and its login. */
export interface ReviewConsoleProps {
  readonly api: apigw.HttpApi;
  /** The reviewers' user pool (stateful). */
  readonly reviewers: cognito.UserPool;
  /** The hosted sign-in's prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly domainPrefix: string;
  readonly logKey: kms.IKey;
  /** The inbox bucket's origin (`https://<bucket>.s3.<region>.amazonaws.com`): the console posts uploads there. */
  readonly uploadOrigin: string;
}

/**
 * The review console on AWS and the login in front of the API: the hosted sign-in, an app
 * client for the console (authorization code with PKCE, back to the console's URL) and one for
 * integrations (client credentials), the JWT authoriser accepting the tokens of those two
 * clients only, and the function serving the console's files on the API's two public routes.
 */
export class ReviewConsole extends Construct {
  /** Every data route's authoriser. */
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly site: ImrFunction;
  readonly reviewerClient: cognito.UserPoolClient;
  readonly integrationClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The API's routes that need no login: the console's static files, which hold no data. */
  readonly publicRoutes: apigw.HttpRoute[];

  constructor(scope: Construct, id: string, props: ReviewConsoleProps) {
    super(scope, id);
    const { api, reviewers } = props;
    const consoleUrl = `${api.apiEndpoint}/`;
    this.domain = reviewers.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    this.reviewerClient = reviewers.addClient('ReviewConsole', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    const apiScope = new cognito.ResourceServerScope({ scopeName: 'api', scopeDescription: 'Read determinations and send corrections' });
    const server = reviewers.addResourceServer('Api', { identifier: 'imr', scopes: [apiScope] });
    this.integrationClient = reviewers.addClient('Integrations', {
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [cognito.OAuthScope.resourceServer(server, apiScope)] },
      accessTokenValidity: Duration.hours(1),
    });
    this.authorizer = new HttpUserPoolAuthorizer('Login', reviewers, { userPoolClients: [this.reviewerClient, this.integrationClient] });
    this.site = new ImrFunction(this, 'Console', {
      handlerFolder: 'console',
      logKey: props.logKey,
      memorySize: 256,
      reservedConcurrentExecutions: 10,
      environment: {
        CONSOLE_LOGIN_DOMAIN: this.domain.baseUrl(),
        CONSOLE_CLIENT_ID: this.reviewerClient.userPoolClientId,
        CONSOLE_REDIRECT_URI: consoleUrl,
        CONSOLE_UPLOAD_ORIGIN: props.uploadOrigin,
        POWERTOOLS_SERVICE_NAME: 'imr-console',
      },
      // The console is built by esbuild into the bundle's console/ folder.
      afterBundling: (root, outputDir) => [`node --import tsx "${root}/scripts/build-console.ts" "${outputDir}/console"`],
    });
    const integration = new HttpLambdaIntegration('ConsoleIntegration', this.site.function);
    this.publicRoutes = ['/', '/console/{file+}'].flatMap((path) =>
      api.addRoutes({ path, methods: [apigw.HttpMethod.GET], integration, authorizer: new apigw.HttpNoneAuthorizer() }),
    );
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(this, 'ReviewersUserPoolId', { value: reviewers.userPoolId });
    new CfnOutput(this, 'IntegrationsClientId', { value: this.integrationClient.userPoolClientId });
    new CfnOutput(this, 'TokenUrl', { value: `${this.domain.baseUrl()}/oauth2/token` });
  }
}
