package io.flinkmirror.integration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakReportTest {

    @TempDir
    Path dir;

    @Test
    void shouldTakePercentilesFromAMillisecondHistogram() {
        int[] histogram = new int[1_000];
        histogram[100] = 98; // 98 records at 100 ms
        histogram[900] = 2; // 2 at 900 ms
        assertThat(SoakProbe.percentile(histogram, 100, 0.50)).isEqualTo(100);
        assertThat(SoakProbe.percentile(histogram, 100, 0.98)).isEqualTo(100);
        assertThat(SoakProbe.percentile(histogram, 100, 0.99)).isEqualTo(900);
        assertThat(SoakProbe.percentile(histogram, 100, 1.0)).isEqualTo(900);
        assertThat(SoakProbe.percentile(new int[10], 0, 0.5)).isEqualTo(-1);
    }

    @Test
    void shouldWriteEveryMinuteAsCsvAndPlotThemAsAPng() throws Exception {
        List<SoakProbe.Minute> minutes = new ArrayList<>();
        for (int m = 1; m <= 60; m++) {
            minutes.add(new SoakProbe.Minute(m, 1_200_000, 140 + m % 7, 260 + m % 11, 400, 50_000 + m * 1_000L,
                    120 + m % 5, 0, 650_000_000L + m * 100_000L));
        }
        SoakProbe.Result result = new SoakProbe.Result(minutes, 72_000_000, 0, 0, "g", 0, true);

        Path csv = SoakReport.csv(dir.resolve("soak.csv"), result);
        Path png = SoakReport.png(dir.resolve("soak.png"), "test soak", result);

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(61);
        assertThat(lines.get(0)).startsWith("minute,records,p50_ms,p99_ms");
        assertThat(lines.get(60)).isEqualTo("60,1200000,144,265,400,110000,120,0,656000000");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(1000);
        int coloured = 0;
        for (int x = 0; x < image.getWidth(); x += 2) {
            for (int y = 0; y < image.getHeight(); y += 2) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    coloured++;
                }
            }
        }
        assertThat(coloured).as("pixels of the coloured series lines").isGreaterThan(500);
    }
}
