package io.flinkmirror.integration.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Writes a soak's minutes as CSV and as a PNG of four panels over time (latency, checkpoint size and time, RSS). */
final class SoakReport {

    private static final int WIDTH = 1200;
    private static final int PANEL = 240;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private SoakReport() {}

    static Path csv(Path file, SoakProbe.Result result) throws IOException {
        StringBuilder out = new StringBuilder(
                "minute,records,p50_ms,p99_ms,max_ms,checkpoint_bytes,checkpoint_ms,failed_checkpoints,rss_bytes\n");
        for (SoakProbe.Minute m : result.minutes()) {
            out.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%d,%d%n", m.minute(), m.records(), m.p50(),
                    m.p99(), m.max(), m.checkpointBytes(), m.checkpointMillis(), m.failedCheckpoints(),
                    m.rssBytes()));
        }
        Files.createDirectories(file.getParent());
        return Files.writeString(file, out);
    }

    static Path png(Path file, String title, SoakProbe.Result result) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<SoakProbe.Minute> minutes = result.minutes();
        BufferedImage image = new BufferedImage(WIDTH, 4 * PANEL + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        panel(g, 40, "replication latency per minute of send time (ms)", minutes, 1_000,
                new Series("p99", new Color(200, 40, 40), m -> m.p99()),
                new Series("p50", new Color(40, 90, 200), m -> m.p50()));
        panel(g, 40 + PANEL, "newest checkpoint's size (MB, the most in the minute)", minutes, -1,
                new Series("checkpoint", new Color(30, 140, 60), m -> m.checkpointBytes() / 1e6));
        panel(g, 40 + 2 * PANEL, "newest checkpoint's duration (ms, the most in the minute)", minutes, -1,
                new Series("duration", new Color(150, 90, 20), m -> m.checkpointMillis()));
        panel(g, 40 + 3 * PANEL, "mirror process RSS (MB, the most in the minute)", minutes, -1,
                new Series("RSS", new Color(110, 40, 160), m -> m.rssBytes() / 1e6));
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private record Series(String name, Color color, ToDoubleFunction<SoakProbe.Minute> value) {}

    /** One panel: the series over the minutes, y from 0; {@code limit} > 0 draws a dashed line at that value. */
    private static void panel(Graphics2D g, int y0, String title, List<SoakProbe.Minute> minutes, double limit,
                              Series... series) {
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int top = y0 + TOP;
        int bottom = y0 + PANEL - BOTTOM;
        double max = limit > 0 ? limit * 1.2 : 0;
        for (Series s : series) {
            for (SoakProbe.Minute m : minutes) {
                max = Math.max(max, s.value().applyAsDouble(m));
            }
        }
        max = max <= 0 ? 1 : max * 1.1;
        g.setColor(Color.BLACK);
        g.drawString(title, x0, y0 + 18);
        g.setColor(Color.LIGHT_GRAY);
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, max / 4 * i >= 10 ? "%.0f" : "%.2f", max / 4 * i), 8, y + 4);
            g.setColor(Color.LIGHT_GRAY);
        }
        int n = Math.max(1, minutes.size());
        g.setColor(Color.DARK_GRAY);
        for (int i = 0; i < minutes.size(); i += Math.max(1, minutes.size() / 12)) {
            int x = x0 + (x1 - x0) * i / Math.max(1, n - 1);
            g.drawString("min " + minutes.get(i).minute(), x - 12, bottom + 16);
        }
        if (limit > 0) {
            int y = (int) (bottom - (bottom - top) * limit / max);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            g.drawLine(x0, y, x1, y);
            g.drawString(String.format(Locale.ROOT, "%.0f", limit), x1 - 40, y - 4);
        }
        int legend = x1 - 200;
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2));
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < minutes.size(); i++) {
                double v = s.value().applyAsDouble(minutes.get(i));
                if (v < 0) {
                    prevX = -1;
                    continue;
                }
                int x = x0 + (x1 - x0) * i / Math.max(1, n - 1);
                int y = (int) (bottom - (bottom - top) * v / max);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, x, y);
                } else {
                    g.fillOval(x - 2, y - 2, 4, 4);
                }
                prevX = x;
                prevY = y;
            }
            g.drawString(s.name(), legend, y0 + 18);
            legend += 70;
        }
        g.setStroke(new BasicStroke(1));
    }
}
