// Each test starts a whole fleet and measures failed requests under load: two at once on a small
// machine would slow each other's health checks and make the timings, not the product, the subject.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
