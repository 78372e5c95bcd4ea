// The door's camera: finds a ticket's QR code in the video and hands its text to a .NET object (OnScanned).
// Uses the browser's BarcodeDetector where it exists, otherwise jsQR (wwwroot/lib/jsqr, from npm) on canvas frames.
// Every failure is reported the same way (OnCameraFailed), so the page can say what went wrong at once.

const jsQrPath = "lib/jsqr/jsQR.js";
let jsQrLoading;

function loadJsQr() {
    jsQrLoading ??= new Promise((resolve, reject) => {
        if (window.jsQR) {
            resolve(window.jsQR);
            return;
        }
        const script = document.createElement("script");
        script.src = jsQrPath;
        script.onload = () => resolve(window.jsQR);
        script.onerror = () => reject(new Error("The QR decoder could not be loaded."));
        document.head.appendChild(script);
    });
    return jsQrLoading;
}

async function detector() {
    if ("BarcodeDetector" in window) {
        try {
            const formats = await window.BarcodeDetector.getSupportedFormats();
            if (formats.includes("qr_code")) {
                const native = new window.BarcodeDetector({ formats: ["qr_code"] });
                return async video => (await native.detect(video))[0]?.rawValue ?? null;
            }
        } catch {
            // fall through to jsQR
        }
    }
    const jsQR = await loadJsQr();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async video => {
        if (!video.videoWidth) {
            return null;
        }
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        return jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
    };
}

// Starts the camera into `video` and scans about ten frames a second. The same code is reported once until another
// code (or nothing) has been seen for a moment, so holding a ticket in front of the camera is one scan, not ten.
// Returns at once with a controller; `stop()` works even while the browser is still asking for the camera.
export function start(video, dotnet) {
    let stopped = false;
    let stream = null;
    const fail = message => dotnet.invokeMethodAsync("OnCameraFailed", message).catch(() => { });
    const release = () => {
        stream?.getTracks().forEach(track => track.stop());
        stream = null;
        video.srcObject = null;
    };

    (async () => {
        try {
            stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
        } catch (error) {
            fail(`${error.name}: ${error.message}`);
            return;
        }
        if (stopped) {
            release();
            return;
        }
        video.srcObject = stream;
        video.setAttribute("playsinline", "");
        await video.play().catch(() => { });

        let decode;
        try {
            decode = await detector();
        } catch (error) {
            release();
            fail(error.message);
            return;
        }

        let last = null;
        let lastSeenAt = 0;
        const tick = async () => {
            if (stopped) {
                return;
            }
            try {
                const text = await decode(video);
                const now = Date.now();
                if (text && !stopped && (text !== last || now - lastSeenAt > 3000)) {
                    await dotnet.invokeMethodAsync("OnScanned", text);
                    last = text; // only once the door has answered: a failed check is tried again
                }
                if (text) {
                    lastSeenAt = now;
                }
            } catch {
                // a frame that cannot be read, or a check that failed, is tried again on the next frame
            }
            setTimeout(tick, 100);
        };
        tick();
    })();

    return {
        stop() {
            stopped = true;
            release();
        },
    };
}
