import { describeCompat } from './harness.ts';

describeCompat('string compat', (t) => {
  t('GET and SET basics', [
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['GET', 'missing'],
    ['GET'],
  ]);
});
