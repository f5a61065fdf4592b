# The asyncio echo server of docs/performance.md ("asyncio echo, 100 clients"): one program
# that runs unchanged on CPython's asyncio and through usocket-micropython. It prints its port,
# echoes whatever each connection sends until that connection closes, and exits after
# argv[1] connections have come and gone (or when argv[2] seconds have passed).
import asyncio
import sys

expected = int(sys.argv[1]) if len(sys.argv) > 1 else 100
limit = float(sys.argv[2]) if len(sys.argv) > 2 else 120
finished = 0
all_gone = asyncio.Event()


async def echo(reader, writer):
    global finished
    try:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    writer.close()
    await writer.wait_closed()
    finished += 1
    if finished == expected:
        all_gone.set()


async def main():
    # backlog: all the clients connect at once (MicroPython's default is 5)
    server = await asyncio.start_server(echo, "127.0.0.1", 0, backlog=128)
    print(server.sockets[0].getsockname()[1])
    sys.stdout.flush()
    try:
        await asyncio.wait_for(all_gone.wait(), limit)
    except asyncio.TimeoutError:
        print("time limit reached with", finished, "connections done", file=sys.stderr)
    server.close()
    await server.wait_closed()


asyncio.run(main())
