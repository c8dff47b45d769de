package dev.kiln.bench.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP codec on one NIO event loop that accepts and does all socket I/O, with the handler
 * on a group of {@code threads} executor threads so that a blocking call in it (the agent's engine
 * call) never stalls the loop. Netty has no blocking read: {@link HttpObjectAggregator} gathers the
 * body on the loop and hands the handler the whole request.
 */
final class NettyServer implements BenchServer {
  /** Larger than any body the benchmark sends; the agent would use its maxBodyBytes. */
  private static final int MAX_BODY = 1 << 20;

  private final EventLoopGroup loop = new NioEventLoopGroup(1);
  private final EventExecutorGroup workers;
  private final Channel channel;

  NettyServer(int threads) throws InterruptedException {
    workers = new DefaultEventExecutorGroup(threads);
    channel =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_BODY))
                        .addLast(workers, new Routes());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = request.uri();
      int query = path.indexOf('?');
      path = query < 0 ? path : path.substring(0, query);
      FullHttpResponse response;
      if (path.equals("/ping") && request.method().equals(HttpMethod.GET)) {
        response = response(HttpResponseStatus.OK, Payloads.PING_REPLY);
      } else if (path.equals("/invocations") && request.method().equals(HttpMethod.POST)) {
        // Copied to a heap array as the other handlers have it, so all pay for the same copy.
        byte[] body = ByteBufUtil.getBytes(request.content());
        response =
            BenchServer.fullBody(body.length)
                ? response(HttpResponseStatus.OK, Payloads.INVOCATION_REPLY)
                : response(HttpResponseStatus.BAD_REQUEST, Payloads.PING_REPLY);
      } else {
        response = response(HttpResponseStatus.NOT_FOUND, Payloads.PING_REPLY);
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      return response;
    }
  }

  @Override
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
    // No quiet period: nothing is in flight when the benchmark stops a server.
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
