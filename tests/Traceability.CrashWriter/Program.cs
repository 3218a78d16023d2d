// The crash test's child process: opens the store named by its first argument and appends until it is killed.
// After every ACKNOWLEDGED append it writes one line to stdout and flushes it:
//
//     <stream> <revision of the first event> <event id> [<event id> ...]
//
// Usage: Traceability.CrashWriter <connection string> <run tag> [<writer loops, default 4>]
using System.Text;
using Traceability.EventStore;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Traceability.CrashWriter <connection string> <run tag> [<writer loops>]");
    return 2;
}

var connectionString = args[0];
var runTag = args[1];
var loops = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4;
const int streamsPerLoop = 3;

await using var store = await EventStoreFactory.OpenAsync(connectionString);
var stdout = Console.OpenStandardOutput();
var outputLock = new object();

void Acknowledge(string stream, long firstRevision, EventData[] events)
{
    var line = new StringBuilder(stream).Append(' ').Append(firstRevision);
    foreach (var e in events) line.Append(' ').Append(e.EventId.ToString("D"));
    // One write per line (well under PIPE_BUF, so the pipe never interleaves it), flushed before the next append.
    var bytes = Encoding.UTF8.GetBytes(line.Append('\n').ToString());
    lock (outputLock)
    {
        stdout.Write(bytes);
        stdout.Flush();
    }
}

async Task WriteLoopAsync(int loop)
{
    var random = new Random(HashCode.Combine(runTag, loop));
    var revisions = Enumerable.Repeat(StreamRevision.None, streamsPerLoop).ToArray();
    for (long n = 0; ; n++)
    {
        var s = (int)(n % streamsPerLoop);
        var stream = $"crash-{runTag}.{loop}.{s}";
        var events = Enumerable.Range(0, random.Next(1, 4)).Select(i => new EventData(
            Guid.NewGuid(),
            "crash.written.v1",
            Encoding.UTF8.GetBytes($"{{\"loop\":{loop},\"n\":{n},\"i\":{i},\"pad\":\"{new string('x', random.Next(0, 2048))}\"}}"),
            Encoding.UTF8.GetBytes($"{{\"run\":\"{runTag}\"}}"))).ToArray();
        var expected = revisions[s] == StreamRevision.None ? ExpectedRevision.NoStream : ExpectedRevision.Exact(revisions[s]);
        var result = await store.AppendAsync(stream, expected, events);
        revisions[s] = result.NextExpectedRevision;
        Acknowledge(stream, result.NextExpectedRevision - events.Length + 1, events);
    }
}

try
{
    await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(() => WriteLoopAsync(loop))));
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 1;
}
