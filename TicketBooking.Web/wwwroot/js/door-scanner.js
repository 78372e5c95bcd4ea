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
export async function start(video, dotnet) {
    let stream;
    try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (error) {
        dotnet.invokeMethodAsync("OnCameraFailed", `${error.name}: ${error.message}`).catch(() => { });
        return { stop() { } };
    }
    video.srcObject = stream;
    video.setAttribute("playsinline", "");
    await video.play().catch(() => { });

    let stopped = false;
    let last = null;
    let lastSeenAt = 0;
    let decode;
    try {
        decode = await detector();
    } catch (error) {
        dotnet.invokeMethodAsync("OnCameraFailed", error.message).catch(() => { });
    }
    const tick = async () => {
        if (stopped) {
            return;
        }
        try {
            const text = decode ? await decode(video) : null;
            const now = Date.now();
            if (text && (text !== last || now - lastSeenAt > 3000)) {
                last = text;
                await dotnet.invokeMethodAsync("OnScanned", text);
            }
            if (text) {
                lastSeenAt = now;
            }
        } catch {
            // a frame that cannot be read is skipped
        }
        setTimeout(tick, 100);
    };
    tick();
    return {
        stop() {
            stopped = true;
            stream.getTracks().forEach(track => track.stop());
            video.srcObject = null;
        },
    };
}
